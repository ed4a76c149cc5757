/**
 * docker-compose.yml and every overlay/profile as Docker Compose itself loads them
 * (`docker-compose config --format json`, .env.example as the env file): what each service really
 * gets after merge keys, interpolation and overlay merging, which the YAML alone does not show.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { envExample, resolveCompose, secondsOf, VARIANTS, writeEnvFile } from './support/compose-config.ts';
import { repoPath } from './support/repo.ts';

const envFile = writeEnvFile(envExample());
const resolved = Object.fromEntries(
  (Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>).map((variant) => [variant, resolveCompose(variant, envFile)]),
) as Record<keyof typeof VARIANTS, ReturnType<typeof resolveCompose>>;

/** One-shot containers: dependents wait for them to complete, not to be healthy. */
const ONE_SHOT = new Set(['loadgen', 'collector-healthcheck-bin']);
const NODE_SERVICES = ['api', 'payments', 'worker', 'loadgen'];

const serviceRows = Object.entries(resolved).flatMap(([variant, compose]) =>
  Object.entries(compose.services).map(([name, service]) => [`${variant}: ${name}`, name, service] as const),
);

describe('compose config (the real Compose loader)', () => {
  it('loads the default file, the load profile and the host-metrics overlay', () => {
    expect(Object.keys(resolved.default.services)).not.toContain('loadgen');
    expect(Object.keys(resolved.load.services)).toContain('loadgen');
    expect(Object.keys(resolved.hostmetrics.services).sort()).toEqual(Object.keys(resolved.default.services).sort());
  });

  it.each(serviceRows)('%s publishes ports on 127.0.0.1 only', (_row, _name, service) => {
    for (const port of service.ports ?? []) expect(port.host_ip, `port ${port.target}`).toBe('127.0.0.1');
  });

  it.each(serviceRows)('%s bind-mounts only paths that exist', (_row, _name, service) => {
    for (const volume of service.volumes ?? []) {
      if (volume.type !== 'bind') continue;
      expect(existsSync(volume.source ?? ''), `${volume.source} -> ${volume.target}`).toBe(true);
      expect(volume.read_only, `${volume.source} is mounted read-only`).toBe(true);
    }
  });

  it.each(serviceRows)('%s has a memory limit', (_row, _name, service) => {
    expect(Number(service.mem_limit)).toBeGreaterThan(0);
  });

  it.each(serviceRows)('%s waits for healthy (or completed one-shot) dependencies that exist', (row, _name, service) => {
    const variant = row.split(':')[0] as keyof typeof VARIANTS;
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect(Object.keys(resolved[variant].services), `${dependency} is a service`).toContain(dependency);
      expect(condition, `depends_on ${dependency}`).toBe(ONE_SHOT.has(dependency) ? 'service_completed_successfully' : 'service_healthy');
    }
  });

  it.each(NODE_SERVICES)('%s: healthcheck runs the plain .mjs script, which exists', (name) => {
    const test = resolved.load.services[name]?.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'src/services/healthcheck.mjs']);
    expect(existsSync(repoPath('src/services/healthcheck.mjs'))).toBe(true);
  });

  it('each Node service gets an environment its own config loader accepts', () => {
    const env = (name: string) => (resolved.load.services[name]?.environment ?? {}) as NodeJS.ProcessEnv;
    expect(loadApiConfig(env('api')).PORT).toBe(8080);
    expect(loadPaymentsConfig(env('payments')).PORT).toBe(8081);
    expect(loadWorkerConfig(env('worker')).PORT).toBe(8082);
    for (const name of NODE_SERVICES) expect(env(name).OTEL_SERVICE_NAME).toBe(name);
  });

  it.each(NODE_SERVICES)('%s: stop_grace_period exceeds SHUTDOWN_TIMEOUT_MS by at least 5 s', (name) => {
    const service = resolved.load.services[name];
    const shutdownSeconds = Number(service?.environment?.SHUTDOWN_TIMEOUT_MS ?? envExample().get('SHUTDOWN_TIMEOUT_MS')) / 1000;
    expect(secondsOf(service?.stop_grace_period)).toBeGreaterThanOrEqual(shutdownSeconds + 5);
  });

  it('gives Tempo at least 45 s to stop (its backend worker takes over 30 s)', () => {
    expect(secondsOf(resolved.default.services.tempo?.stop_grace_period)).toBeGreaterThanOrEqual(45);
  });

  it('default: the Collector has no host mount and does not load the host-metrics config', () => {
    const collector = resolved.default.services['otel-collector'];
    expect(collector?.volumes?.map((volume) => volume.source)).not.toContain('/');
    expect((collector?.command ?? []).join(' ')).not.toMatch(/hostmetrics/);
    expect(collector?.environment).not.toHaveProperty('HOST_METRICS_ROOT_PATH');
  });

  it('host-metrics overlay: mounts / read-only at /hostfs and adds config.hostmetrics.yaml to the config.yaml ones', () => {
    const collector = resolved.hostmetrics.services['otel-collector'];
    expect(collector?.volumes).toContainEqual(expect.objectContaining({ type: 'bind', source: '/', target: '/hostfs', read_only: true }));
    expect(collector?.command).toEqual([
      ...(resolved.default.services['otel-collector']?.command ?? []),
      '--config=/etc/otelcol-contrib/config.hostmetrics.yaml',
    ]);
    const mounted = collector?.volumes?.find((volume) => volume.target === '/etc/otelcol-contrib/config.hostmetrics.yaml');
    expect(mounted?.source).toBe(repoPath('collector/config.hostmetrics.yaml'));
    expect(collector?.environment?.HOST_METRICS_ROOT_PATH).toBe('/hostfs');
  });
});
