import { readFileSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as stable from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { describe, expect, it } from 'vitest';
import { INSTRUMENTATION_SCOPE } from '../../src/telemetry/scope.ts';
import * as copied from '../../src/telemetry/semconv.ts';

const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('instrumentation scope', () => {
  it('carries the package version', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { name: string; version: string };
    expect(INSTRUMENTATION_SCOPE).toEqual({ name: pkg.name, version: pkg.version });
  });

  it('is defined once: no other file asks for a tracer or a meter', () => {
    const callers = files('src').filter((path) => /\b(getTracer|getMeter)\(/.test(readFileSync(path, 'utf8')));
    expect(callers).toEqual([join('src', 'telemetry', 'scope.ts')]);
  });
});

describe('semantic-convention names', () => {
  it('are never written as literals outside src/telemetry/semconv.ts and attributes.ts', () => {
    // Dotted names of the semconv namespaces we use; ours (tenant.id, order.*) live in attributes.ts.
    const semconv = /['"`](?:db|http|server|client|url|error|messaging|service|user|cpu|process|network|deployment)\.[a-z_.]+['"`]/;
    const offenders = files('src')
      .filter((path) => !path.endsWith(join('telemetry', 'semconv.ts')) && !path.endsWith(join('telemetry', 'attributes.ts')))
      .flatMap((path) =>
        readFileSync(path, 'utf8')
          .split('\n')
          .filter((line) => semconv.test(line) && !/^\s*(\/\*|\*|\/\/)/.test(line))
          .map((line) => `${path}: ${line.trim()}`),
      );
    expect(offenders).toEqual([]);
  });
});

describe('incubating names copied into src/telemetry/semconv.ts', () => {
  const installed = incubating as unknown as Record<string, unknown>;
  const entries = Object.entries(copied as Record<string, unknown>);
  // The declarations of the installed package, whose JSDoc says which names are deprecated.
  const dist = join(dirname(createRequire(import.meta.url).resolve('@opentelemetry/semantic-conventions/incubating')));
  const declarations = readdirSync(dist)
    .filter((name) => /^(experimental|stable)_(attributes|metrics)\.d\.mts$/.test(name))
    .map((name) => readFileSync(join(dist, name), 'utf8'))
    .join('\n');
  const docOf = (name: string): string | undefined => {
    const at = declarations.search(new RegExp(`declare const ${name}:`));
    if (at < 0) return undefined;
    return declarations.slice(declarations.lastIndexOf('/**', at), at);
  };

  it('are the installed package’s incubating constants, name for name and value for value', () => {
    expect(entries.length).toBeGreaterThan(0);
    const differing = entries
      .filter(([name, value]) => installed[name] !== value)
      .map(([name, value]) => `${name}: ours ${String(value)}, installed ${String(installed[name])}`);
    expect(differing).toEqual([]);
  });

  it('are none of them deprecated in the installed package, except those named here with the reason they stay', () => {
    // Renaming a metric renames its Prometheus series: dashboards, rules and docs move with it.
    const knownDeprecated: Record<string, string> = {
      METRIC_DB_CLIENT_CONNECTION_MAX: 'Replaced by `db.client.connection.limit`.',
    };
    const deprecated = Object.fromEntries(
      entries.flatMap(([name]) => {
        const doc = docOf(name);
        return doc?.includes('@deprecated') ? [[name, /@deprecated (.*)/.exec(doc)![1]]] : [];
      }),
    );
    expect(deprecated).toEqual(knownDeprecated);
  });

  it('are copied only while incubating: a stable name is imported from the stable entry point', () => {
    expect(entries.map(([name]) => name).filter((name) => name in stable)).toEqual([]);
  });
});
