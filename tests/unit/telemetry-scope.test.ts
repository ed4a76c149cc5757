import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { INSTRUMENTATION_SCOPE } from '../../src/telemetry/scope.ts';

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
