/**
 * Every setting .env.example documents reaches what reads it, through the real Compose loader:
 * an app setting appears in the resolved environment of each service whose config loader (or the
 * OpenTelemetry SDK, for OTEL_*) reads it; any other setting is consumed by interpolation (an image
 * tag, a port, a command flag). Changing a value in .env must change the resolved configuration,
 * and an .env holding only the demo secrets must give exactly what .env.example documents (every
 * other value there is compose's default; docs/security.md, "The demo settings").
 */
import { describe, expect, it } from 'vitest';
import { loadgenEnv } from '../../src/config/loadgen-env.ts';
import { loadApiConfig, loadPaymentsConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { envExample, resolveCompose, writeEnvFile } from './support/compose-config.ts';

const documented = envExample();

/** Secrets compose has no default for: .env.example sets them, explicitly, for the local demo. */
const DEMO_SECRETS = ['ADMIN_TOKEN', 'GRAFANA_ADMIN_PASSWORD'];
/** The one of them compose refuses to run without (ADMIN_TOKEN unset switches endpoints off). */
const REQUIRED = ['GRAFANA_ADMIN_PASSWORD'];
/**
 * Settings whose compose default deliberately differs from the app's, and why. Continuous profiling
 * needs a Pyroscope to push to: compose runs one, native runs, tests and benchmarks do not.
 */
const COMPOSE_OWN_DEFAULTS: Record<string, { compose: unknown; app: unknown; why: string }> = {
  PROFILING_ENABLED: { compose: true, app: false, why: 'compose runs Pyroscope; native runs, tests and benchmarks do not' },
};
const only = (names: string[]) => new Map(names.map((name) => [name, documented.get(name) ?? '']));

/** What each Node service reads, from its own config loader (every key has a default). */
const READS: Record<string, Set<string>> = {
  api: new Set(Object.keys(loadApiConfig({}))),
  payments: new Set(Object.keys(loadPaymentsConfig({}))),
  worker: new Set(Object.keys(loadWorkerConfig({}))),
  loadgen: new Set(Object.keys(loadgenEnv({}))),
};
/** OTEL_* are read by the SDK in every one of our processes. */
const readersOf = (name: string): string[] => Object.keys(READS).filter((service) => name.startsWith('OTEL_') || READS[service]?.has(name));

/** A value different from every documented one, still valid where compose parses it (ports). */
const changed = (name: string, index: number): string =>
  name.endsWith('_PORT') ? String(41000 + index) : `${documented.get(name)}-changed${index}`;
const mutated = new Map([...documented.keys()].map((name, index) => [name, changed(name, index)]));

const baseline = resolveCompose('load', writeEnvFile(documented));
const withChanges = resolveCompose('load', writeEnvFile(mutated));
const fromDemoSecrets = resolveCompose('load', writeEnvFile(only(DEMO_SECRETS)));
const fromRequired = resolveCompose('load', writeEnvFile(only(REQUIRED)));
const changedJson = JSON.stringify(withChanges);

describe('.env.example against the resolved compose configuration', () => {
  it('documents at least the settings the issue named', () => {
    for (const name of [
      'LOG_LEVEL',
      'PAYMENTS_FAILURE_RATE',
      'RATE_LIMIT_PER_MINUTE',
      'DATABASE_POOL_MAX',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
    ]) {
      expect([...documented.keys()]).toContain(name);
    }
  });

  it('an .env with only the demo secrets resolves to the same configuration as .env.example (its other values are the defaults)', () => {
    expect(fromDemoSecrets).toEqual(baseline);
  });

  it.each([...documented.keys()])('%s reaches what reads it, and changing it in .env changes the config', (name) => {
    const readers = readersOf(name);
    if (readers.length > 0) {
      for (const service of readers) {
        expect(baseline.services[service]?.environment?.[name], `${service} gets ${name}`).toBe(documented.get(name));
        expect(withChanges.services[service]?.environment?.[name], `${service} follows .env`).toBe(mutated.get(name));
      }
    } else {
      // Consumed by interpolation somewhere (image tag, published port, command, ...).
      expect(changedJson, `${name} changes nothing in the resolved configuration`).toContain(mutated.get(name));
    }
  });

  it("compose's defaults equal the apps' own defaults for every setting an app reads", () => {
    const own: Record<string, Record<string, unknown>> = {
      api: loadApiConfig({}),
      payments: loadPaymentsConfig({}),
      worker: loadWorkerConfig({}),
    };
    const loaders = { api: loadApiConfig, payments: loadPaymentsConfig, worker: loadWorkerConfig };
    for (const [service, load] of Object.entries(loaders)) {
      const fromCompose = load((fromRequired.services[service]?.environment ?? {}) as NodeJS.ProcessEnv) as Record<string, unknown>;
      for (const name of documented.keys()) {
        if (!READS[service]?.has(name)) continue;
        const exception = COMPOSE_OWN_DEFAULTS[name];
        if (exception) {
          expect([fromCompose[name], own[service]?.[name]], `${service} ${name}: ${exception.why}`).toEqual([exception.compose, exception.app]);
          continue;
        }
        expect(fromCompose[name], `${service} ${name}`).toEqual(own[service]?.[name]);
      }
    }
  });

  it('the check can fail: a variable nothing reads is caught', () => {
    expect(readersOf('NOT_A_SETTING')).toEqual([]);
    expect(changedJson).not.toContain('NOT_A_SETTING-changed');
  });
});
