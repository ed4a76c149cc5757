/**
 * deploy/kubernetes: rendered and checked by tools/k8s-check (built by scripts/build-tools.sh), which
 * runs kustomize's Go API, decodes every object strictly against k8s.io/api and the OpenTelemetry
 * Operator's API, validates the OpenTelemetryCollector against the operator's CRD and passes every
 * embedded Collector config to `otelcol validate` of our build with the container's environment.
 * This file runs it, then checks what only the repository knows: parity with the compose Collector
 * tiers, docs/topology.md's memory table, the apps' config loaders. kubernetes-checker.test.ts proves
 * the checker fails on broken input; kubernetes-helm.test.ts checks the backends' Helm values.
 */
import { readFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { bytesOf, envExample, resolveCompose, writeEnvFile } from './support/compose-config.ts';
import { readRepoFile, readYaml, repoPath } from './support/repo.ts';
import {
  COLLECTORS,
  DEFAULT,
  SHOP,
  SIDECAR,
  checks,
  container,
  envOf,
  find,
  rendered,
  resolveEnv,
  type CollectorConfig,
  type Container,
} from './support/kubernetes.ts';

describe('tools/k8s-check on deploy/kubernetes', () => {
  it.each([DEFAULT, SIDECAR])('%s: renders, decodes strictly and validates with no problem', (variant) => {
    const { status, output, objects } = checks[variant] ?? { status: -1, output: '', objects: [] };
    expect(output).toMatch(/, 0 problems$/m);
    expect(status).toBe(0);
    // Every rendered object was decoded into its Go type (a "decoded" line each).
    expect(output.match(/^decoded /gm)?.length).toBe(objects.length);
  });

  it('validates every Collector config with otelcol validate: agent, gateway, dependency metrics and the sidecar resource', () => {
    const validated = Object.values(checks).flatMap(({ output }) => output.match(/^validated .*$/gm) ?? []);
    expect(validated).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^validated deploy\/kubernetes: DaemonSet otelkit\/otel-agent container otelcol: otelcol validate \/etc\/otelcol\/agent\.yaml$/,
        ),
        expect.stringMatching(
          /^validated deploy\/kubernetes: StatefulSet otelkit\/otel-gateway container otelcol: otelcol validate \/etc\/otelcol\/gateway\.yaml$/,
        ),
        // The contrib image's postgresql receiver is not in our build: validated without it, and said so.
        expect.stringMatching(
          /^validated deploy\/kubernetes: Deployment otelkit\/otel-dependency-metrics container otelcol: otelcol validate \/etc\/otelcol\/dependencies\.yaml \/etc\/otelcol\/config\.compose\.yaml \(without receivers not in our build: postgresql\)$/,
        ),
        expect.stringMatching(
          /^validated deploy\/kubernetes\/overlays\/sidecar: OpenTelemetryCollector otelkit\/otel-agent-sidecar: otelcol validate spec\.config$/,
        ),
      ]),
    );
    // DaemonSet agent, gateway and dependency metrics in the default variant; gateway, dependency
    // metrics and the OpenTelemetryCollector in the sidecar variant.
    expect(validated).toHaveLength(6);
  });

  it('renders the kinds we expect, the operator resource in the sidecar variant only', () => {
    const kinds = (variant: string) => [...new Set(rendered(variant).map((o) => `${o.apiVersion} ${o.kind}`))].sort();
    expect(kinds(DEFAULT)).toEqual(
      [
        'apps/v1 DaemonSet',
        'apps/v1 Deployment',
        'apps/v1 StatefulSet',
        'networking.k8s.io/v1 NetworkPolicy',
        'policy/v1 PodDisruptionBudget',
        'scheduling.k8s.io/v1 PriorityClass',
        'v1 ConfigMap',
        'v1 Namespace',
        'v1 Secret',
        'v1 Service',
      ].sort(),
    );
    expect(kinds(SIDECAR)).toContain('opentelemetry.io/v1beta1 OpenTelemetryCollector');
    expect(kinds(SIDECAR)).not.toContain('apps/v1 DaemonSet');
  });
});

const withoutResolver = (config: CollectorConfig): CollectorConfig => {
  const copy = structuredClone(config);
  delete copy.exporters.load_balancing?.resolver;
  return copy;
};

describe('Collector configs: the compose tiers, apart from the resolver', () => {
  const composeAgent = readYaml<CollectorConfig>('collector/agent.yaml');

  it('the DaemonSet agent runs collector/agent.yaml with the dns resolver on the headless gateway Service', () => {
    const cm = find(DEFAULT, 'ConfigMap', 'otel-agent-config');
    const agent = parse(cm.data?.['agent.yaml'] ?? '', { merge: true }) as CollectorConfig;
    expect(isDeepStrictEqual(withoutResolver(agent), withoutResolver(composeAgent)), 'equal to collector/agent.yaml but the resolver').toBe(
      true,
    );
    // The same resolver as the sidecar's: the k8s resolver of 0.157 keeps terminating gateways on the ring
    // (kubernetes-gateway-drain.test.ts). The interval is set explicitly: the gateway's preStop is derived from it.
    expect(agent.exporters.load_balancing?.resolver).toEqual({
      dns: { hostname: '${env:GATEWAY_HOSTNAME}', port: '4317', interval: '5s' },
    });
    const env = resolveEnv(DEFAULT, container(DEFAULT, 'DaemonSet', 'otel-agent').env);
    expect(env.GATEWAY_HOSTNAME).toBe('otel-gateway.otelkit.svc');
  });

  it('the sidecar agent (OpenTelemetryCollector spec.config) is collector/agent.yaml with the dns resolver', () => {
    const sidecar = find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar');
    const config = sidecar.spec?.config as CollectorConfig;
    expect(
      isDeepStrictEqual(withoutResolver(config), withoutResolver(composeAgent)),
      'equal to collector/agent.yaml but the resolver',
    ).toBe(true);
    expect(config.exporters.load_balancing?.resolver).toEqual({
      dns: { hostname: '${env:GATEWAY_HOSTNAME}', port: '4317', interval: '5s' },
    });
    expect(resolveEnv(SIDECAR, sidecar.spec?.env).GATEWAY_HOSTNAME).toBe('otel-gateway.otelkit.svc');
  });

  it('the gateways run collector/gateway.yaml itself', () => {
    for (const variant of [DEFAULT, SIDECAR]) {
      expect(find(variant, 'ConfigMap', 'otel-gateway-config').data?.['gateway.yaml']).toBe(readRepoFile('collector/gateway.yaml'));
    }
  });

  it('the gateway Service is headless and serves the port both resolvers use', () => {
    const service = find(DEFAULT, 'Service', 'otel-gateway');
    expect(service.spec?.clusterIP).toBe('None');
    expect(service.spec?.ports?.map((p) => p.port)).toEqual([4317]);
  });

  it.each(COLLECTORS)('%s %s %s: the image of collector/builder-config.yaml, GOMEMLIMIT 80% of the memory limit', (variant, kind, name) => {
    const c = container(variant, kind, name);
    const version = /^\s*version:\s*([\d.]+)\s*$/m.exec(readRepoFile('collector/builder-config.yaml'))?.[1];
    expect(c.image).toBe(`otel/opentelemetry-collector-contrib:${version}`);
    expect(bytesOf(envOf(c.env, 'GOMEMLIMIT')?.replace('MiB', 'm'))).toBe(0.8 * bytesOf(c.resources?.limits?.memory));
  });

  it('docker-compose.gateway.yml (when present) runs the same Collector image', () => {
    const composeFile = repoPath('docker-compose.gateway.yml');
    let text: string;
    try {
      text = readFileSync(composeFile, 'utf8');
    } catch {
      return; // the compose gateway tier is not there yet
    }
    const images = [...text.matchAll(/image:\s*(\S*opentelemetry-collector\S*)/g)].map((m) =>
      m[1]?.replace(/\$\{[A-Z_]+:-([^}]+)\}/g, '$1'),
    );
    for (const image of images) expect(image).toBe(container(DEFAULT, 'StatefulSet', 'otel-gateway').image);
  });
});

// ------------------------------------------------------------------------------------------------
// Resources, probes and environment against the rest of the repository

/** A "Memory limits" table of a doc (heading level 2 or 3): service -> {peak MiB or '-', limit}. */
const memoryTable = (doc: string) =>
  new Map(
    (
      readRepoFile(doc)
        .split(/^#{2,3} Memory limits$/m)[1]
        ?.split(/^#{2,3} /m)[0] ?? ''
    )
      .split('\n')
      .filter((line) => /^\|\s*`[^`]+`\s*\|/.test(line))
      .map((line) =>
        line
          .split('|')
          .slice(1, -1)
          .map((cell) => cell.trim().replaceAll('`', '')),
      )
      .map(([service = '', peak = '', limit = '']) => [service, { peak, limit }] as const),
  );
/** docs/topology.md's table, plus docs/scaling.md's rows for the Collector tiers (otel-agent-*, otel-gateway-*). */
const memoryTables = new Map([...memoryTable('docs/topology.md'), ...memoryTable('docs/scaling.md')]);
const MIB = 1024 ** 2;

describe('resources from docs/topology.md and docs/scaling.md (request = measured peak, limit = mem_limit; gateways: request = limit)', () => {
  const rows: Array<[string, string, () => Container['resources']]> = [
    ...SHOP.map(
      (name) => [name, name, () => container(DEFAULT, 'Deployment', name).resources] as [string, string, () => Container['resources']],
    ),
    ['postgres', 'postgres', () => container(DEFAULT, 'StatefulSet', 'postgres').resources],
    ['redis', 'redis', () => container(DEFAULT, 'Deployment', 'redis').resources],
    ['otel-agent', 'otel-agent-*', () => container(DEFAULT, 'DaemonSet', 'otel-agent').resources],
    ['otel-gateway', 'otel-gateway-*', () => container(DEFAULT, 'StatefulSet', 'otel-gateway').resources],
    ['otel-agent-sidecar', 'otel-agent-*', () => find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar').spec?.resources],
  ];
  it.each(rows)('%s (row %s)', (_name, row, resources) => {
    const table = memoryTables.get(row);
    expect(table, `docs/topology.md has a row ${row}`).toBeDefined();
    expect(bytesOf(resources()?.limits?.memory)).toBe(bytesOf(table?.limit));
    // Gateways run with Guaranteed QoS (kubernetes-operations.test.ts): the request is the limit,
    // which holds the measured peak.
    if (_name === 'otel-gateway') expect(bytesOf(resources()?.requests?.memory)).toBeGreaterThanOrEqual(Number(table?.peak) * MIB);
    else expect(bytesOf(resources()?.requests?.memory)).toBe(Number(table?.peak) * MIB);
  });
});

describe('the shop on Kubernetes', () => {
  const composeEnvFile = writeEnvFile(envExample());
  const compose = resolveCompose('default', composeEnvFile).services;
  const loaders = { api: loadApiConfig, payments: loadPaymentsConfig, worker: loadWorkerConfig };

  it.each(SHOP)('%s: liveness and readiness /health/live, a route of src/http/health.ts that checks no dependency', (name) => {
    const c = container(DEFAULT, 'Deployment', name);
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    // Not /health/ready: its Postgres and Redis checks would fail every replica's readiness at once.
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/live');
    const routes = readRepoFile('src/http/health.ts');
    const live = /health\.get\('\/health\/live',([^\n]*)\n/.exec(routes)?.[1];
    expect(live, '/health/live answers from the process alone').toMatch(/^\s*\(c\) => c\.json\(\{ status: 'ok' \}\)\);$/);
    // The dependency checks stay available: /health/ready for people, and shop_dependency_up runs
    // them itself (DependencyDown reads it), independent of any probe.
    expect(routes).toContain("health.get('/health/ready'");
    expect(readRepoFile('src/services/compose-api.ts')).toMatch(/observeGauge\('shop\.dependency\.up'[\s\S]{0,200}runChecks\(/);
  });

  it.each(SHOP)(
    "%s: its config loader accepts the environment, which is compose's but for the OTLP endpoint and k8s attributes",
    (name) => {
      const c = container(DEFAULT, 'Deployment', name);
      const env = resolveEnv(DEFAULT, c.env);
      expect(loaders[name](env).PORT).toBe(c.ports?.[0]?.containerPort);
      expect(env.OTEL_SERVICE_NAME).toBe(name);
      const composeEnv = compose[name]?.environment ?? {};
      for (const [key, value] of Object.entries(composeEnv)) {
        if (key === 'ADMIN_TOKEN' || key === 'OTEL_EXPORTER_OTLP_ENDPOINT') continue;
        // compose passes an unset override as empty (the profile decides, src/config/profile.ts);
        // Kubernetes leaves it out, which the loaders read the same.
        if (value === '') {
          expect(env[key] ?? '', key).toBe('');
          continue;
        }
        if (key === 'OTEL_RESOURCE_ATTRIBUTES') expect(env[key]?.startsWith(`${value},k8s.`), key).toBe(true);
        else expect(env[key], key).toBe(value);
      }
      const extra = Object.keys(env).filter((key) => !(key in composeEnv) && !/^(K8S_|POSTGRES_)/.test(key));
      expect(extra).toEqual([]);
    },
  );

  it.each(SHOP)('%s: terminationGracePeriodSeconds exceeds SHUTDOWN_TIMEOUT_MS by at least 5 s', (name) => {
    const spec = find(DEFAULT, 'Deployment', name).spec?.template?.spec;
    const shutdown = Number(envOf(spec?.containers[0]?.env, 'SHUTDOWN_TIMEOUT_MS')) / 1000;
    expect(spec?.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(shutdown + 5);
  });

  it('DaemonSet variant: the apps send to the node-local agent Service; sidecar variant: to localhost', () => {
    // The port of the protocol the apps use (compose's, checked above): OTLP gRPC 4317, OTLP/HTTP 4318.
    const protocol = envOf(container(DEFAULT, 'Deployment', 'api').env, 'OTEL_EXPORTER_OTLP_PROTOCOL');
    const [receiver, port] = protocol === 'grpc' ? ['grpc', 4317] : ['http', 4318];
    for (const name of SHOP) {
      expect(envOf(container(DEFAULT, 'Deployment', name).env, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(`http://otel-agent:${port}`);
      const sidecarPod = find(SIDECAR, 'Deployment', name).spec?.template;
      expect(envOf(sidecarPod?.spec.containers[0]?.env, 'OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(`http://localhost:${port}`);
      expect(sidecarPod?.metadata?.annotations?.['sidecar.opentelemetry.io/inject']).toBe('otel-agent-sidecar');
    }
    const agentService = find(DEFAULT, 'Service', 'otel-agent');
    expect(agentService.spec?.internalTrafficPolicy).toBe('Local');
    expect(agentService.spec?.ports?.map((p) => p.port)).toContain(port);
    // Both agents listen there.
    const daemonSetConfig = parse(find(DEFAULT, 'ConfigMap', 'otel-agent-config').data?.['agent.yaml'] ?? '') as CollectorConfig;
    const sidecarConfig = find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar').spec?.config;
    for (const config of [daemonSetConfig, sidecarConfig]) {
      const endpoint = (config?.receivers.otlp as { protocols: Record<string, { endpoint: string }> }).protocols[receiver]?.endpoint;
      expect(endpoint?.endsWith(`:${port}`), endpoint).toBe(true);
    }
  });

  it('images: the app image, and the compose versions of Postgres and Redis', () => {
    expect(container(DEFAULT, 'Deployment', 'api').image).toBe(compose.api?.image);
    expect(container(DEFAULT, 'StatefulSet', 'postgres').image).toBe(compose.postgres?.image);
    expect(container(DEFAULT, 'Deployment', 'redis').image).toBe(compose.redis?.image);
  });
});
