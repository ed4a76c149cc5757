/**
 * The security fields of every compose service, as the real Compose loader resolves them (every
 * variant, .env.example as the env file): who each container runs as, whether its root filesystem
 * is read-only, which ports reach the host, and that no secret has a default in docker-compose.yml.
 * docs/security.md explains each rule; the tables below are the per-service decisions, with reasons.
 */
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig } from '../../src/config/service-config.ts';
import { resolveGatewayCompose } from '../helpers/gateway-compose.ts';
import { envExample, resolveCompose, type ResolvedService, VARIANTS, writeEnvFile } from './support/compose-config.ts';
import { readRepoFile } from './support/repo.ts';

interface HardenedService extends ResolvedService {
  user?: string;
  read_only?: boolean;
  tmpfs?: string[];
  security_opt?: string[];
  cap_drop?: string[];
}

const documented = envExample();
/** Every variant, plus the agent + gateway overlay (docker-compose.gateway.yml, with the load profile). */
const resolved = {
  ...(Object.fromEntries(
    (Object.keys(VARIANTS) as Array<keyof typeof VARIANTS>).map((variant) => [variant, resolveCompose(variant, writeEnvFile(documented))]),
  ) as Record<keyof typeof VARIANTS, { services: Record<string, HardenedService> }>),
  gateway: resolveGatewayCompose(writeEnvFile(documented)) as { services: Record<string, HardenedService> },
};

const serviceRows = Object.entries(resolved).flatMap(([variant, compose]) =>
  Object.entries(compose.services).map(([name, service]) => [`${variant}: ${name}`, name, service] as const),
);

/**
 * Containers allowed to run as root, and why. Every other one names a non-root user; where that is
 * the image's own USER (prometheus, alertmanager: nobody; loki, tempo, Collector: 10001; grafana:
 * 472; our image: node), compose repeats it so the decision is visible and tested here.
 */
const ROOT_ALLOWED: Record<string, string> = {
  'collector-healthcheck-bin':
    'one-shot copy into a fresh named volume, whose mount point Docker creates owned by root; runs with no capabilities',
};

/** Containers whose root filesystem may stay writable, and why (none today). */
const WRITABLE_ROOT_ALLOWED: Record<string, string> = {};

/** What each service publishes on the host (all on 127.0.0.1), and why a person or a host process needs it. */
const PUBLISHED: Record<string, { ports: number[]; why: string }> = {
  api: { ports: [8080], why: 'the shop: curl, a native load generator' },
  payments: { ports: [8081], why: 'PUT /admin/config from the runbooks and a native failure scenario' },
  'otel-collector': {
    ports: [4317, 4318, 8888, 13133],
    why: 'OTLP for processes run natively on the host; health and own metrics for `npm run verify`',
  },
  prometheus: { ports: [9090], why: 'UI and query API' },
  alertmanager: { ports: [9093], why: 'UI (silences) and API' },
  loki: { ports: [3100], why: 'query API for `npm run verify` and logcli' },
  tempo: { ports: [3200], why: 'query API for `npm run verify`' },
  grafana: { ports: [3000], why: 'the UI' },
  pyroscope: { ports: [4040], why: 'UI and query API; the push endpoint for a service run natively with profiling on' },
};

const isRoot = (user: string | undefined): boolean => {
  const name = (user ?? '').split(':')[0]?.trim() ?? '';
  return name === '' || name === 'root' || name === '0';
};

describe('compose security (the real Compose loader)', () => {
  it.each(serviceRows)('%s runs as a non-root user (or is a listed exception with no capabilities)', (_row, name, service) => {
    if (ROOT_ALLOWED[name] === undefined) {
      expect(isRoot(service.user), `user: ${service.user ?? '(image default)'}`).toBe(false);
    } else {
      expect(service.cap_drop, `${name} runs as root, so it drops every capability`).toEqual(['ALL']);
    }
  });

  it.each(serviceRows)('%s has a read-only root filesystem and no-new-privileges', (_row, name, service) => {
    if (WRITABLE_ROOT_ALLOWED[name] === undefined) expect(service.read_only).toBe(true);
    expect(service.security_opt).toContain('no-new-privileges:true');
  });

  it.each(serviceRows)('%s publishes exactly its listed ports, on 127.0.0.1', (_row, name, service) => {
    const published = (service.ports ?? []).map((port) => port.target).sort((a, b) => a - b);
    expect(published, PUBLISHED[name]?.why ?? 'not published').toEqual(PUBLISHED[name]?.ports ?? []);
    for (const port of service.ports ?? []) expect(port.host_ip, `port ${port.target}`).toBe('127.0.0.1');
  });

  it('every publishing decision names a service that exists', () => {
    for (const name of Object.keys(PUBLISHED)) expect(Object.keys(resolved.default.services)).toContain(name);
  });

  it('our image drops root in its final stage (USER node after the last FROM)', () => {
    const finalStage =
      readRepoFile('Dockerfile')
        .split(/^FROM /m)
        .at(-1) ?? '';
    expect(finalStage).toMatch(/^USER node$/m);
  });
});

describe('no secret has a default in docker-compose.yml', () => {
  const SECRET_NAME = /PASSWORD|TOKEN|SECRET|API_KEY|PRIVATE_KEY/;

  it('no ${VAR:-default} of a secret-named variable has a non-empty default', () => {
    const text = readRepoFile('docker-compose.yml');
    const defaults = [...text.matchAll(/\$\{([A-Z0-9_]+):?-([^}]*)\}/g)].filter((m) => SECRET_NAME.test(m[1] ?? '') && m[2] !== '');
    expect(defaults.map((m) => m[0])).toEqual([]);
  });

  it('without GRAFANA_ADMIN_PASSWORD the Compose loader refuses, saying what to set', () => {
    const withoutPassword = new Map([...documented].filter(([name]) => name !== 'GRAFANA_ADMIN_PASSWORD'));
    let message = '';
    try {
      resolveCompose('default', writeEnvFile(withoutPassword));
    } catch (error) {
      message = String((error as { stderr?: string }).stderr ?? error);
    }
    expect(message).toMatch(/GRAFANA_ADMIN_PASSWORD/);
    expect(message).toMatch(/cp \.env\.example \.env/);
  });

  it("Grafana's admin password is the one .env sets", () => {
    const env = new Map(documented).set('GRAFANA_ADMIN_PASSWORD', 'a-real-password-4f9c');
    const grafana = resolveCompose('default', writeEnvFile(env)).services.grafana;
    expect(grafana?.environment?.GF_SECURITY_ADMIN_PASSWORD).toBe('a-real-password-4f9c');
  });

  it('without ADMIN_TOKEN the api and payments start with their admin endpoints off', () => {
    const withoutToken = new Map([...documented].filter(([name]) => name !== 'ADMIN_TOKEN'));
    const { services } = resolveCompose('load', writeEnvFile(withoutToken));
    const env = (name: string) => (services[name]?.environment ?? {}) as NodeJS.ProcessEnv;
    expect(loadApiConfig(env('api')).ADMIN_TOKEN).toBeUndefined();
    expect(loadPaymentsConfig(env('payments')).ADMIN_TOKEN).toBeUndefined();
    expect(env('loadgen').ADMIN_TOKEN ?? '').toBe('');
  });
});
