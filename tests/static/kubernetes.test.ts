/**
 * deploy/kubernetes: rendered and checked by tools/k8s-check (built by scripts/build-tools.sh), which
 * runs kustomize's Go API, decodes every object strictly against k8s.io/api and the OpenTelemetry
 * Operator's API, validates the OpenTelemetryCollector against the operator's CRD and passes every
 * embedded Collector config to `otelcol validate` of our build with the container's environment.
 * This file runs it (and proves it fails on broken input), then checks what only the repository
 * knows: parity with the compose Collector tiers, docs/topology.md's memory table, the apps'
 * config loaders, and the Helm values of the backends against the manifests.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { bytesOf, envExample, resolveCompose, writeEnvFile } from './support/compose-config.ts';
import { listFiles, readRepoFile, readYaml, repoPath } from './support/repo.ts';

// ------------------------------------------------------------------------------------------------
// The checker and its output

const tools = Object.fromEntries(
  execFileSync(repoPath('scripts/build-tools.sh'), ['otelcol', 'k8s-check', '--print-env'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  })
    .trim()
    .split('\n')
    .map((line) => line.split('=') as [string, string]),
) as Record<'OTELCOL_BIN' | 'K8S_CHECK_BIN' | 'K8S_CHECK_CRDS', string>;

interface CheckResult {
  status: number | null;
  output: string;
  objects: K8sObject[];
}

/** Runs k8s-check on kustomization directories (relative to cwd) and returns its report. */
const k8sCheck = (dirs: string[], cwd = repoPath()): CheckResult => {
  const out = join(mkdtempSync(join(tmpdir(), 'otelkit-k8s-')), 'rendered.json');
  const run = spawnSync(tools.K8S_CHECK_BIN, ['-otelcol', tools.OTELCOL_BIN, '-crds', tools.K8S_CHECK_CRDS, '-out', out, ...dirs], {
    cwd,
    encoding: 'utf8',
  });
  let objects: K8sObject[] = [];
  try {
    objects = JSON.parse(readFileSync(out, 'utf8')) as K8sObject[];
  } catch {
    // no output file: a usage error, reported through status and output
  }
  return { status: run.status, output: `${run.stdout}${run.stderr}`, objects };
};

interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    fieldRef?: { fieldPath: string };
    secretKeyRef?: { name: string; key: string; optional?: boolean };
  };
}
interface Container {
  name: string;
  image: string;
  args?: string[];
  command?: string[];
  env?: EnvVar[];
  ports?: Array<{ name?: string; containerPort: number }>;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  livenessProbe?: { httpGet?: { path: string; port: string | number } };
  readinessProbe?: { httpGet?: { path: string; port: string | number } };
}
interface PodSpec {
  containers: Container[];
  terminationGracePeriodSeconds?: number;
}
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: {
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
    clusterIP?: string;
    internalTrafficPolicy?: string;
    ports?: Array<{ name?: string; port: number }>;
    selector?: Record<string, string>;
    config?: CollectorConfig;
    env?: EnvVar[];
    image?: string;
    resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  };
  data?: Record<string, string>;
}
interface CollectorConfig {
  exporters: Record<string, { resolver?: Record<string, Record<string, unknown>> } & Record<string, unknown>>;
  receivers: Record<string, unknown>;
  service: unknown;
}

const DEFAULT = 'deploy/kubernetes';
const SIDECAR = 'deploy/kubernetes/overlays/sidecar';
const checks: Record<string, CheckResult> = { [DEFAULT]: k8sCheck([DEFAULT]), [SIDECAR]: k8sCheck([SIDECAR]) };
const rendered = (variant: string): K8sObject[] => checks[variant]?.objects ?? [];

const find = (variant: string, kind: string, name: string): K8sObject => {
  const found = rendered(variant).find((o) => o.kind === kind && (o.metadata.name === name || o.metadata.name.startsWith(`${name}-`)));
  if (found === undefined) throw new Error(`${variant}: no ${kind} ${name}`);
  return found;
};
const container = (variant: string, kind: string, name: string): Container => {
  const c = find(variant, kind, name).spec?.template?.spec.containers[0];
  if (c === undefined) throw new Error(`${kind} ${name} has no container`);
  return c;
};
const envOf = (env: EnvVar[] | undefined, name: string): string | undefined => env?.find((e) => e.name === name)?.value;

/**
 * A container's environment as the kubelet builds it: literal values with $(VAR) expanded, Secret
 * keys from the rendered Secret, downward-API fields as stand-ins. Optional refs to absent Secrets
 * leave the variable unset.
 */
const resolveEnv = (variant: string, env: EnvVar[] = []): Record<string, string> => {
  const out: Record<string, string> = {};
  for (const e of env) {
    if (e.value !== undefined) {
      out[e.name] = e.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (whole, name: string) => out[name] ?? whole);
    } else if (e.valueFrom?.fieldRef) {
      out[e.name] =
        { 'metadata.name': 'pod-0', 'metadata.namespace': 'otelkit', 'spec.nodeName': 'node-0' }[e.valueFrom.fieldRef.fieldPath] ?? 'x';
    } else if (e.valueFrom?.secretKeyRef) {
      const ref = e.valueFrom.secretKeyRef;
      const secret = rendered(variant).find((o) => o.kind === 'Secret' && o.metadata.name === ref.name);
      const data = secret?.data?.[ref.key];
      if (data !== undefined) out[e.name] = Buffer.from(data, 'base64').toString('utf8');
      else expect(ref.optional, `${e.name}: Secret ${ref.name} is not rendered, so the ref must be optional`).toBe(true);
    }
  }
  return out;
};

const SHOP = ['api', 'payments', 'worker'] as const;
const COLLECTORS = [
  [DEFAULT, 'DaemonSet', 'otel-agent'],
  [DEFAULT, 'Deployment', 'otel-gateway'],
  [SIDECAR, 'Deployment', 'otel-gateway'],
] as const;

describe('tools/k8s-check on deploy/kubernetes', () => {
  it.each([DEFAULT, SIDECAR])('%s: renders, decodes strictly and validates with no problem', (variant) => {
    const { status, output, objects } = checks[variant] ?? { status: -1, output: '', objects: [] };
    expect(output).toMatch(/, 0 problems$/m);
    expect(status).toBe(0);
    // Every rendered object was decoded into its Go type (a "decoded" line each).
    expect(output.match(/^decoded /gm)?.length).toBe(objects.length);
  });

  it('validates every Collector config with otelcol validate: agent, gateway and the sidecar resource', () => {
    const validated = Object.values(checks).flatMap(({ output }) => output.match(/^validated .*$/gm) ?? []);
    expect(validated).toEqual(
      expect.arrayContaining([
        expect.stringMatching(
          /^validated deploy\/kubernetes: DaemonSet otelkit\/otel-agent container otelcol: otelcol validate \/etc\/otelcol\/agent\.yaml$/,
        ),
        expect.stringMatching(
          /^validated deploy\/kubernetes: Deployment otelkit\/otel-gateway container otelcol: otelcol validate \/etc\/otelcol\/gateway\.yaml$/,
        ),
        expect.stringMatching(
          /^validated deploy\/kubernetes\/overlays\/sidecar: OpenTelemetryCollector otelkit\/otel-agent-sidecar: otelcol validate spec\.config$/,
        ),
      ]),
    );
    expect(validated).toHaveLength(4);
  });

  it('renders the kinds we expect, the operator resource in the sidecar variant only', () => {
    const kinds = (variant: string) => [...new Set(rendered(variant).map((o) => `${o.apiVersion} ${o.kind}`))].sort();
    expect(kinds(DEFAULT)).toEqual(
      [
        'apps/v1 DaemonSet',
        'apps/v1 Deployment',
        'apps/v1 StatefulSet',
        'policy/v1 PodDisruptionBudget',
        'rbac.authorization.k8s.io/v1 Role',
        'rbac.authorization.k8s.io/v1 RoleBinding',
        'v1 ConfigMap',
        'v1 Namespace',
        'v1 Secret',
        'v1 Service',
        'v1 ServiceAccount',
      ].sort(),
    );
    expect(kinds(SIDECAR)).toContain('opentelemetry.io/v1beta1 OpenTelemetryCollector');
    expect(kinds(SIDECAR)).not.toContain('apps/v1 DaemonSet');
  });
});

describe('tools/k8s-check fails on broken input', () => {
  const scratch = (files: Record<string, string>): string => {
    const dir = mkdtempSync(join(tmpdir(), 'otelkit-k8s-bad-'));
    writeFileSync(join(dir, 'kustomization.yaml'), 'resources: [objects.yaml]\n');
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  };
  const deployment = (spec: string) =>
    [
      'apiVersion: v1\nkind: Namespace\nmetadata: {name: t}\n---',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d, namespace: t}\nspec:',
      spec,
    ].join('\n');
  const template = `  selector: {matchLabels: {a: b}}
  template:
    metadata: {labels: {a: b}}
    spec:
      containers:
        - name: c
          image: busybox:1.37.0`;

  it('an unknown field', () => {
    const { status, output } = k8sCheck([scratch({ 'objects.yaml': deployment(`${template}\n          bogusField: 1`) })]);
    expect(status).toBe(1);
    expect(output).toContain('strict decoding error: unknown field "spec.template.spec.containers[0].bogusField"');
  });

  it('a wrong value type', () => {
    const { status, output } = k8sCheck([scratch({ 'objects.yaml': deployment(`  replicas: two\n${template}`) })]);
    expect(status).toBe(1);
    expect(output).toMatch(/cannot unmarshal string into Go struct field .*replicas of type int32/);
  });

  it('a kind no scheme knows, and a malformed quantity', () => {
    const unknownKind = k8sCheck([scratch({ 'objects.yaml': deployment(template).replace('kind: Deployment', 'kind: Deploymnet') })]);
    expect(unknownKind.status).toBe(1);
    expect(unknownKind.output).toMatch(/no kind "Deploymnet" is registered/);
    const quantity = k8sCheck([scratch({ 'objects.yaml': deployment(`${template}\n          resources: {limits: {memory: 10Qi}}`) })]);
    expect(quantity.status).toBe(1);
    expect(quantity.output).toMatch(/quantities must match the regular expression/);
  });

  it('names the API server would refuse: a port name over 15 characters, a label value with a space', () => {
    const { status, output } = k8sCheck([
      scratch({
        'objects.yaml': deployment(`${template}\n          ports: [{name: otlp-grpc-receiver, containerPort: 4317}]`).replace(
          'labels: {a: b}}',
          "labels: {a: b, tier: 'front end'}}",
        ),
      }),
    ]);
    expect(status).toBe(1);
    expect(output).toContain('port name "otlp-grpc-receiver": must be no more than 15 characters');
    expect(output).toMatch(/spec\.template\.metadata\.labels "tier" value "front end": a valid label must be/);
  });

  it('our copy of deploy/kubernetes with a broken Collector config, a missing env var, a bad CRD field and a writable root', () => {
    // The repository paths the kustomizations read, in a scratch tree of the same shape.
    const root = mkdtempSync(join(tmpdir(), 'otelkit-k8s-copy-'));
    for (const path of ['deploy/kubernetes', 'collector', 'grafana/provisioning', 'grafana/dashboards', 'prometheus/rules']) {
      mkdirSync(dirname(join(root, path)), { recursive: true });
      cpSync(repoPath(path), join(root, path), { recursive: true });
    }
    const edit = (path: string, from: string | RegExp, to: string) => {
      const file = join(root, path);
      const text = readFileSync(file, 'utf8');
      const next = text.replace(from, to);
      expect(next, `${path}: ${String(from)} found`).not.toBe(text);
      writeFileSync(file, next);
    };
    edit(
      'deploy/kubernetes/collector/agent.yaml',
      'processors: [memory_limiter, resource_detection, transform/drop_argv]',
      'processors: [memory_limiter, nosuch]',
    );
    edit('deploy/kubernetes/agent-daemonset.yaml', /\n +- name: GATEWAY_SERVICE\n +value: [^\n]*/, '');
    edit('deploy/kubernetes/overlays/sidecar/otel-agent-sidecar.yaml', 'mode: sidecar', 'mode: sidecars');
    edit('deploy/kubernetes/base/shop.yaml', 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');

    const { status, output } = k8sCheck([DEFAULT, SIDECAR], root);
    expect(status).toBe(1);
    expect(output).toMatch(
      /FAIL deploy\/kubernetes: DaemonSet otelkit\/otel-agent container otelcol: otelcol validate \/etc\/otelcol\/agent\.yaml: [^\n]*\n[\s\S]*nosuch/,
    );
    expect(output).toContain('uses ${env:GATEWAY_SERVICE} without a default, and it is not set');
    expect(output).toContain('OpenTelemetryCollector otelkit/otel-agent-sidecar: CRD schema: spec.mode in body should be one of');
    expect(output).toContain('Deployment otelkit/api container api: readOnlyRootFilesystem is not true');
  });
});

// ------------------------------------------------------------------------------------------------
// Parity with the compose Collector tiers

/** A parsed Collector config without its load_balancing resolver. */
const withoutResolver = (config: CollectorConfig): CollectorConfig => {
  const copy = structuredClone(config);
  delete copy.exporters.load_balancing?.resolver;
  return copy;
};

describe('Collector configs: the compose tiers, apart from the resolver', () => {
  const composeAgent = readYaml<CollectorConfig>('collector/agent.yaml');

  it('the DaemonSet agent runs collector/agent.yaml with the k8s resolver on the headless gateway Service', () => {
    const cm = find(DEFAULT, 'ConfigMap', 'otel-agent-config');
    const agent = parse(cm.data?.['agent.yaml'] ?? '', { merge: true }) as CollectorConfig;
    expect(isDeepStrictEqual(withoutResolver(agent), withoutResolver(composeAgent)), 'equal to collector/agent.yaml but the resolver').toBe(
      true,
    );
    expect(agent.exporters.load_balancing?.resolver).toEqual({ k8s: { service: '${env:GATEWAY_SERVICE}', ports: [4317] } });
    const env = resolveEnv(DEFAULT, container(DEFAULT, 'DaemonSet', 'otel-agent').env);
    expect(env.GATEWAY_SERVICE).toBe('otel-gateway.otelkit');
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
    for (const image of images) expect(image).toBe(container(DEFAULT, 'Deployment', 'otel-gateway').image);
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

describe('resources from docs/topology.md and docs/scaling.md (request = measured peak, limit = mem_limit)', () => {
  const rows: Array<[string, string, () => Container['resources']]> = [
    ...SHOP.map(
      (name) => [name, name, () => container(DEFAULT, 'Deployment', name).resources] as [string, string, () => Container['resources']],
    ),
    ['postgres', 'postgres', () => container(DEFAULT, 'StatefulSet', 'postgres').resources],
    ['redis', 'redis', () => container(DEFAULT, 'Deployment', 'redis').resources],
    ['otel-agent', 'otel-agent-*', () => container(DEFAULT, 'DaemonSet', 'otel-agent').resources],
    ['otel-gateway', 'otel-gateway-*', () => container(DEFAULT, 'Deployment', 'otel-gateway').resources],
    ['otel-agent-sidecar', 'otel-agent-*', () => find(SIDECAR, 'OpenTelemetryCollector', 'otel-agent-sidecar').spec?.resources],
  ];
  it.each(rows)('%s (row %s)', (_name, row, resources) => {
    const table = memoryTables.get(row);
    expect(table, `docs/topology.md has a row ${row}`).toBeDefined();
    expect(bytesOf(resources()?.limits?.memory)).toBe(bytesOf(table?.limit));
    expect(bytesOf(resources()?.requests?.memory)).toBe(Number(table?.peak) * MIB);
  });
});

describe('the shop on Kubernetes', () => {
  const composeEnvFile = writeEnvFile(envExample());
  const compose = resolveCompose('default', composeEnvFile).services;
  const loaders = { api: loadApiConfig, payments: loadPaymentsConfig, worker: loadWorkerConfig };

  it.each(SHOP)('%s: liveness /health/live, readiness /health/ready (the routes of src/http/health.ts)', (name) => {
    const c = container(DEFAULT, 'Deployment', name);
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    const routes = readRepoFile('src/http/health.ts');
    expect(routes).toContain("health.get('/health/live'");
    expect(routes).toContain("health.get('/health/ready'");
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

// ------------------------------------------------------------------------------------------------
// Kustomize inputs outside deploy/kubernetes, and the Helm values of the backends

describe('kustomizations read only the shared config files outside deploy/kubernetes', () => {
  const ALLOWED = [
    /^collector\/gateway\.yaml$/,
    /^grafana\/provisioning\/(datasources|dashboards)\/[\w-]+\.yaml$/,
    /^grafana\/dashboards\/[\w-]+\.json$/,
    /^prometheus\/rules\/[\w-]+\.yml$/,
  ];
  const kustomizations = listFiles('deploy/kubernetes', ['kustomization.yaml']);
  const inputs = kustomizations.flatMap((file) => {
    const k = readYaml<{ resources?: string[]; configMapGenerator?: Array<{ files?: string[] }> }>(file);
    const paths = [
      ...(k.resources ?? []),
      ...(k.configMapGenerator ?? []).flatMap((g) => g.files ?? []).map((f) => f.slice(f.indexOf('=') + 1)),
    ];
    return paths.map((p) => relative(repoPath(), resolve(repoPath(dirname(file)), p)));
  });

  it('every path outside deploy/kubernetes is an allowed shared file', () => {
    expect(kustomizations.length).toBeGreaterThanOrEqual(3);
    const outside = inputs.filter((p) => !p.startsWith('deploy/kubernetes'));
    for (const path of outside)
      expect(
        ALLOWED.some((re) => re.test(path)),
        path,
      ).toBe(true);
  });

  it('every dashboard and every rule file is in a ConfigMap', () => {
    for (const dir of ['grafana/dashboards', 'prometheus/rules']) {
      for (const file of readdirSync(repoPath(dir))) expect(inputs, `${dir}/${file}`).toContain(`${dir}/${file}`);
    }
  });
});

describe('Helm values of the backends agree with the manifests', () => {
  const values = (name: string) => readYaml<Record<string, unknown>>(`deploy/kubernetes/helm/${name}.yaml`);
  const at = (node: unknown, path: string): unknown =>
    path
      .split('.')
      .reduce<unknown>((n, key) => (n !== null && typeof n === 'object' ? (n as Record<string, unknown>)[key] : undefined), node);
  const loki = values('loki');
  const tempo = values('tempo');
  const prometheus = values('prometheus');
  const grafana = values('grafana');
  const pyroscope = values('pyroscope');
  const compose = resolveCompose('default', writeEnvFile(envExample())).services;
  const tagOf = (image: string | undefined) => image?.slice(image.lastIndexOf(':') + 1);

  /** host:port -> what serves it, as the charts name their Services with these values. */
  const served = new Map<string, boolean>([
    ['loki:3100', at(loki, 'fullnameOverride') === 'loki'],
    ['tempo:3200', at(tempo, 'fullnameOverride') === 'tempo'],
    [
      'tempo:4317',
      at(tempo, 'fullnameOverride') === 'tempo' && at(tempo, 'tempo.receivers.otlp.protocols.grpc.endpoint') === '0.0.0.0:4317',
    ],
    [
      'prometheus:9090',
      at(prometheus, 'server.fullnameOverride') === 'prometheus' && at(prometheus, 'server.service.servicePort') === 9090,
    ],
    ['pyroscope:4040', at(pyroscope, 'fullnameOverride') === 'pyroscope' && at(pyroscope, 'pyroscope.service.port') === 4040],
    [
      'alertmanager:9093',
      at(prometheus, 'alertmanager.fullnameOverride') === 'alertmanager' && at(prometheus, 'alertmanager.service.port') === 9093,
    ],
  ]);
  const hostPort = (url: string) => url.replace(/^\w+:\/\//, '').replace(/\/.*$/, '');

  it('the gateway and agents export (and the apps push profiles) to Services the charts create', () => {
    const endpoints = [
      ...['TEMPO_OTLP_ENDPOINT', 'LOKI_OTLP_ENDPOINT', 'PROMETHEUS_OTLP_ENDPOINT'].map((v) =>
        envOf(container(DEFAULT, 'Deployment', 'otel-gateway').env, v),
      ),
      envOf(container(DEFAULT, 'DaemonSet', 'otel-agent').env, 'PROMETHEUS_OTLP_ENDPOINT'),
    ];
    // The apps push their profiles to Pyroscope themselves.
    for (const name of SHOP) endpoints.push(envOf(container(DEFAULT, 'Deployment', name).env, 'PROFILING_SERVER_URL'));
    for (const endpoint of endpoints) expect(served.get(hostPort(endpoint ?? '')), endpoint).toBe(true);
    expect(at(prometheus, 'server.extraFlags')).toContain('web.enable-otlp-receiver');
  });

  it("Grafana's provisioned data sources point at Services the charts create", () => {
    const sources = readYaml<{ datasources: Array<{ url: string }> }>('grafana/provisioning/datasources/otelkit.yaml').datasources;
    for (const { url } of sources) expect(served.get(hostPort(url)), url).toBe(true);
  });

  it('Grafana mounts our ConfigMaps where the provisioning files expect them', () => {
    const mounts = at(grafana, 'extraConfigmapMounts') as Array<{ mountPath: string; configMap: string }>;
    for (const m of mounts) expect(find(DEFAULT, 'ConfigMap', m.configMap).metadata.name).toBe(m.configMap);
    const mountOf = (cm: string) => mounts.find((m) => m.configMap === cm)?.mountPath;
    expect(mountOf('grafana-datasources')).toBe('/etc/grafana/provisioning/datasources');
    expect(mountOf('grafana-dashboard-provider')).toBe('/etc/grafana/provisioning/dashboards');
    const provider = readYaml<{ providers: Array<{ options: { path: string } }> }>('grafana/provisioning/dashboards/otelkit.yaml');
    expect(mountOf('grafana-dashboards')).toBe(provider.providers[0]?.options.path);
    const homePath = at(grafana['grafana.ini'], 'dashboards.default_home_dashboard_path') as string;
    expect(Object.keys(find(DEFAULT, 'ConfigMap', 'grafana-dashboards').data ?? {})).toContain(
      homePath.replace(`${mountOf('grafana-dashboards')}/`, ''),
    );
  });

  it('Prometheus loads our rules ConfigMap, scrapes the jobs of prometheus/prometheus.yml and keeps its OTLP settings', () => {
    const mounts = at(prometheus, 'server.extraConfigmapMounts') as Array<{ mountPath: string; configMap: string }>;
    const rules = mounts.find((m) => m.configMap === 'prometheus-rules');
    expect(find(DEFAULT, 'ConfigMap', 'prometheus-rules').metadata.name).toBe('prometheus-rules');
    const config = (prometheus.serverFiles as Record<string, Record<string, unknown>>)['prometheus.yml'];
    expect(config?.rule_files).toEqual([`${rules?.mountPath}/*.yml`]);
    const repoConfig = readYaml<Record<string, unknown>>('prometheus/prometheus.yml');
    const jobs = (c: unknown) => (at(c, 'scrape_configs') as Array<{ job_name: string }>).map((j) => j.job_name).sort();
    expect(jobs(config)).toEqual(jobs(repoConfig));
    expect(config?.otlp).toEqual(repoConfig.otlp);
    // The otel-collector job keeps the pods of both Collector tiers, on their "metrics" port.
    const job = (config?.scrape_configs as Array<{ job_name: string; relabel_configs: Array<{ regex?: string }> }>).find(
      (j) => j.job_name === 'otel-collector',
    );
    const keep = new RegExp(`^(?:${job?.relabel_configs[0]?.regex})$`);
    for (const [, kind, name] of COLLECTORS) {
      const pod = find(DEFAULT, kind, name).spec?.template;
      expect(keep.test(`${pod?.metadata?.labels?.['app.kubernetes.io/component']};metrics`), name).toBe(true);
      expect(pod?.spec.containers[0]?.ports?.some((p) => p.name === 'metrics' && p.containerPort === 8888)).toBe(true);
    }
  });

  it("Alertmanager's config is alertmanager/alertmanager.yml, and its webhook reaches the worker Service", () => {
    expect(at(prometheus, 'alertmanager.config')).toEqual(readYaml('alertmanager/alertmanager.yml'));
    const worker = find(DEFAULT, 'Service', 'worker');
    expect(`${worker.metadata.name}:${worker.spec?.ports?.[0]?.port}`).toBe('worker:8082');
    expect(JSON.stringify(at(prometheus, 'alertmanager.config'))).toContain('http://worker:8082/alerts/webhook');
  });

  it("Loki's limits (OTLP attribute mapping, retention) are loki/loki.yaml's", () => {
    expect(at(loki, 'loki.structuredConfig.limits_config')).toEqual(at(readYaml('loki/loki.yaml'), 'limits_config'));
  });

  it('the charts run the compose image versions', () => {
    expect(at(loki, 'loki.image.tag')).toBe(tagOf(compose.loki?.image));
    expect(at(tempo, 'tempo.tag')).toBe(tagOf(compose.tempo?.image));
    expect(at(prometheus, 'server.image.tag')).toBe(tagOf(compose.prometheus?.image));
    expect(at(prometheus, 'alertmanager.image.tag')).toBe(tagOf(compose.alertmanager?.image));
    expect(at(grafana, 'image.tag')).toBe(tagOf(compose.grafana?.image));
    expect(at(pyroscope, 'pyroscope.image.tag')).toBe(tagOf(compose.pyroscope?.image));
  });

  it('README.md pins every chart and installs it with its values file', () => {
    const readme = readRepoFile('deploy/kubernetes/README.md');
    for (const name of ['loki', 'tempo', 'prometheus', 'pyroscope', 'grafana']) {
      expect(readme).toMatch(
        new RegExp(
          `helm upgrade --install ${name} +\\S+/${name} +--version \\d+\\.\\d+\\.\\d+ +-n otelkit -f deploy/kubernetes/helm/${name}\\.yaml`,
        ),
      );
    }
  });
});
