/**
 * docker-compose.yml and every overlay/profile as Docker Compose itself loads them
 * (`docker-compose config --format json`, .env.example as the env file): what each service really
 * gets after merge keys, interpolation and overlay merging, which the YAML alone does not show.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { parse } from 'yaml';
import { GATEWAY_OVERLAY, resolveGatewayCompose } from '../helpers/gateway-compose.ts';
import { bytesOf, envExample, type ResolvedService, resolveCompose, secondsOf, VARIANTS, writeEnvFile } from './support/compose-config.ts';
import { readRepoFile, repoPath } from './support/repo.ts';

const envFile = writeEnvFile(envExample());
/** Every variant of support/compose-config.ts, plus the agent + gateway overlay (with the load profile). */
const resolved = {
  ...(Object.fromEntries(
    (Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>).map((variant) => [variant, resolveCompose(variant, envFile)]),
  ) as Record<keyof typeof VARIANTS, ReturnType<typeof resolveCompose>>),
  gateway: resolveGatewayCompose(envFile),
};
type Variant = keyof typeof resolved;

/** One-shot containers: dependents wait for them to complete, not to be healthy. */
const ONE_SHOT = new Set(['loadgen', 'collector-healthcheck-bin']);
const GATEWAYS = ['otel-gateway-1', 'otel-gateway-2'];
const AGENTS = { api: 'otel-agent-api', payments: 'otel-agent-payments', worker: 'otel-agent-worker', loadgen: 'otel-agent-api' };
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
    const variant = row.split(':')[0] as Variant;
    for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
      expect(Object.keys(resolved[variant].services), `${dependency} is a service`).toContain(dependency);
      expect(condition, `depends_on ${dependency}`).toBe(ONE_SHOT.has(dependency) ? 'service_completed_successfully' : 'service_healthy');
    }
  });

  it.each(NODE_SERVICES)('%s: healthcheck runs the plain .mjs script, which exists', (name) => {
    const test = resolved.load.services[name]?.healthcheck?.test ?? [];
    expect(test.slice(0, 3)).toEqual(['CMD', 'node', 'src/cli/healthcheck.mjs']);
    expect(existsSync(repoPath('src/cli/healthcheck.mjs'))).toBe(true);
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

/** The rows of the table under "Memory limits" in docs/scaling.md: service -> [peak MiB, limit]. */
const scalingMemoryTable = new Map(
  (
    readRepoFile('docs/scaling.md')
      .split(/^#+ Memory limits$/m)[1]
      ?.split(/^## /m)[0] ?? ''
  )
    .split('\n')
    .filter((line) => /^\|\s*`[^`]+`\s*\|/.test(line))
    .map((line) =>
      line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim().replaceAll('`', '')),
    )
    .map(([service = '', peak = '', limit = '']) => [service, { peak: Number(peak), limit }] as const),
);

describe(`agent + gateway overlay (${GATEWAY_OVERLAY})`, () => {
  const services = resolved.gateway.services;
  const collector = services['otel-collector']!;
  const service = (name: string): ResolvedService => {
    const found = services[name];
    if (found === undefined) throw new Error(`${name} is not a service of the overlay`);
    return found;
  };
  const mountOf = (name: string, target: string) => service(name).volumes?.find((volume) => volume.target === target);

  it('adds two gateways and one agent per service to the whole stack, and keeps otel-collector as it is', () => {
    expect(Object.keys(services).sort()).toEqual(
      [...Object.keys(resolved.load.services), ...GATEWAYS, ...new Set(Object.values(AGENTS))].sort(),
    );
    expect(collector).toEqual(resolved.load.services['otel-collector']);
  });

  it.each(GATEWAYS)('%s: gateway.yaml mounted read-only, the backends of otel-collector, its own hostname', (name) => {
    const gateway = service(name);
    expect(gateway.image).toBe(collector.image);
    expect(gateway.command).toEqual(['--config=/etc/otelcol-contrib/gateway.yaml']);
    expect(mountOf(name, '/etc/otelcol-contrib/gateway.yaml')).toMatchObject({
      type: 'bind',
      source: repoPath('collector/gateway.yaml'),
      read_only: true,
    });
    expect(mountOf(name, '/healthcheck')).toMatchObject({ type: 'volume', source: 'collector-healthcheck-bin', read_only: true });
    for (const key of ['TEMPO_OTLP_ENDPOINT', 'LOKI_OTLP_ENDPOINT', 'PROMETHEUS_OTLP_ENDPOINT'])
      expect(gateway.environment?.[key], key).toBe(collector.environment?.[key]);
    expect(gateway.environment?.GATEWAY_SAMPLING_PERCENTAGE).toBe('10');
    // HOSTNAME (from hostname:) labels the gateway's span-metrics and service-graph series.
    expect((gateway as { hostname?: string }).hostname).toBe(name);
    expect(Object.keys(gateway.depends_on ?? {}).sort()).toEqual(['collector-healthcheck-bin', 'loki', 'prometheus', 'tempo']);
    expect(gateway.healthcheck?.test).toEqual(collector.healthcheck?.test);
  });

  it('the sampling share is a setting: GATEWAY_SAMPLING_PERCENTAGE in .env reaches both gateways', () => {
    const changed = resolveGatewayCompose(writeEnvFile(new Map(envExample()).set('GATEWAY_SAMPLING_PERCENTAGE', '25')), []);
    for (const name of GATEWAYS) expect(changed.services[name]?.environment?.GATEWAY_SAMPLING_PERCENTAGE).toBe('25');
  });

  it.each([...new Set(Object.values(AGENTS))])(
    '%s: agent.yaml mounted read-only, the static list of both gateways, waits for them',
    (name) => {
      const agent = service(name);
      expect(agent.image).toBe(collector.image);
      expect(agent.command).toEqual(['--config=/etc/otelcol-contrib/agent.yaml']);
      expect(mountOf(name, '/etc/otelcol-contrib/agent.yaml')).toMatchObject({
        type: 'bind',
        source: repoPath('collector/agent.yaml'),
        read_only: true,
      });
      expect(parse(agent.environment?.GATEWAY_ENDPOINTS ?? '')).toEqual(GATEWAYS.map((gateway) => `${gateway}:4317`));
      expect(agent.environment?.PROMETHEUS_OTLP_ENDPOINT).toBe(collector.environment?.PROMETHEUS_OTLP_ENDPOINT);
      for (const gateway of GATEWAYS) expect(agent.depends_on?.[gateway]?.condition, gateway).toBe('service_healthy');
      expect(agent.healthcheck?.test).toEqual(collector.healthcheck?.test);
    },
  );

  it.each(Object.entries(AGENTS))('%s sends OTLP to its agent (%s) and waits for it', (app, agent) => {
    // Both set by the overlay: the agent's port follows the protocol (4318: OTLP/HTTP).
    expect(service(app).environment?.OTEL_EXPORTER_OTLP_PROTOCOL).toBe('http/protobuf');
    expect(service(app).environment?.OTEL_EXPORTER_OTLP_ENDPOINT).toBe(`http://${agent}:4318`);
    expect(service(app).depends_on?.[agent]?.condition).toBe('service_healthy');
  });

  it.each([...GATEWAYS, ...new Set(Object.values(AGENTS))])('%s: user, read-only root, GOMEMLIMIT = 80% of mem_limit', (name) => {
    const tier = service(name) as ResolvedService & { user?: string; read_only?: boolean; security_opt?: string[] };
    expect(tier.user).toBe('10001');
    expect(tier.read_only).toBe(true);
    expect(tier.security_opt).toContain('no-new-privileges:true');
    expect(tier.ports ?? []).toEqual([]);
    expect(bytesOf(tier.environment?.GOMEMLIMIT?.replace('MiB', 'm'))).toBe(0.8 * bytesOf(tier.mem_limit));
  });

  it.each([
    ['gateway', 'otel-gateway-1'],
    ['agent', 'otel-agent-api'],
  ])('%s: mem_limit as in docs/scaling.md "Memory limits", at least 1.5 x the measured peak', (tier, name) => {
    const row = scalingMemoryTable.get(`otel-${tier}-*`);
    expect(row, `docs/scaling.md has a row for otel-${tier}-*`).toBeDefined();
    expect(bytesOf(service(name).mem_limit)).toBe(bytesOf(row!.limit));
    expect(bytesOf(row!.limit)).toBeGreaterThanOrEqual(1.5 * row!.peak * 1024 ** 2);
  });
});
