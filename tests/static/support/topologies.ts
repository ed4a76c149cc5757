/**
 * The deployment topologies otelkit ships, read from their files: which Collectors run with which
 * (merged) config, where the apps send OTLP, where a Collector forwards spans, and which Prometheus
 * scrape job scrapes which process. tests/static/support/series-producers.ts turns this into the
 * series each topology produces. Nothing here is a list kept by hand but the topologies' files.
 */
import { readRepoFile, readYaml } from './repo.ts';
import { kubernetesTopology } from './series-kubernetes.ts';
import { parse } from 'yaml';

export type CollectorConfig = {
  receivers?: Record<string, unknown>;
  processors?: Record<string, { metric_statements?: unknown[] } & Record<string, unknown>>;
  connectors?: Record<string, Record<string, unknown>>;
  exporters?: Record<string, Record<string, unknown>>;
  service?: { pipelines?: Record<string, { receivers?: string[]; processors?: string[]; exporters?: string[] }> };
};

/** What a scrape target is, told from the process behind it. */
export type TargetKind = 'collector' | 'prometheus' | 'alertmanager' | 'loki' | 'tempo' | 'unknown';

export interface CollectorInstance {
  /** compose service or Kubernetes workload (`sidecar in api` for an injected one). */
  name: string;
  config: CollectorConfig;
  /** Its config files, for the doc. */
  files: string[];
  /** Whether the shop's SDKs export OTLP to it. */
  fromApps: boolean;
  /** Collectors that forward spans to it (load_balancing exporter). */
  spansFrom: string[];
}

export interface ScrapeJob {
  job: string;
  /** What each target is: a Collector (by instance name) or a backend kind. */
  targets: Array<{ kind: TargetKind; collector?: string }>;
}

export interface Topology {
  id: string;
  title: string;
  files: string[];
  collectors: CollectorInstance[];
  scrapeJobs: ScrapeJob[];
  /** Prometheus' otlp: section (translation strategy, promoted resource attributes). */
  otlp: { translation_strategy?: string; promote_resource_attributes?: string[]; keep_identifying_resource_attributes?: boolean };
}

/** `${VAR:-default}` and `${env:VAR:-default}` as compose and the Collector expand them with VAR unset. */
export const expandDefaults = (value: string, env: Record<string, string> = {}): string =>
  value.replace(/\$\{(?:env:)?(\w+)(?::?-([^}]*))?\}/g, (_whole, name: string, fallback?: string) => env[name] ?? fallback ?? '');

/** The Collector merges `--config` files: maps key by key, lists and scalars replaced. */
export const mergeConfigs = (configs: unknown[]): CollectorConfig => {
  const merge = (a: unknown, b: unknown): unknown => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b as Record<string, unknown>)) out[k] = merge(out[k], v);
      return out;
    }
    return b === undefined ? a : b;
  };
  return configs.reduce<unknown>(merge, {}) as CollectorConfig;
};

/** Host names a `load_balancing` exporter sends to (static list or k8s/dns resolver service). */
export const loadBalancingHosts = (config: CollectorConfig, env: Record<string, string>): string[] =>
  Object.entries(config.exporters ?? {})
    .filter(([id]) => id.split('/')[0] === 'load_balancing' || id.split('/')[0] === 'loadbalancing')
    .flatMap(([, exporter]) => {
      const resolver = (exporter.resolver ?? {}) as Record<string, Record<string, unknown>>;
      const stat = resolver.static?.hostnames;
      const list = typeof stat === 'string' ? (parse(expandDefaults(stat, env)) as string[]) : ((stat as string[] | undefined) ?? []);
      const services = [resolver.k8s?.service, resolver.dns?.hostname].filter((s): s is string => typeof s === 'string');
      return [...list, ...services].map((h) => expandDefaults(h, env).split(':')[0]!.split('.')[0]!);
    });

// ------------------------------------------------------------------------------------------------
// compose

interface ComposeService {
  image?: string;
  hostname?: string;
  command?: string[] | string;
  environment?: Record<string, string> | string[];
  volumes?: string[];
}

const envMap = (env: ComposeService['environment']): Record<string, string> =>
  Array.isArray(env) ? Object.fromEntries(env.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)])) : { ...(env ?? {}) };

/** docker compose's merge of -f files, for the keys read here: environment by key, volumes appended. */
const composeServices = (files: string[]): Record<string, ComposeService> => {
  const out: Record<string, ComposeService> = {};
  for (const file of files) {
    for (const [name, service] of Object.entries(readYaml<{ services: Record<string, ComposeService> }>(file).services)) {
      const prev = out[name] ?? {};
      out[name] = {
        ...prev,
        ...service,
        environment: { ...envMap(prev.environment), ...envMap(service.environment) },
        volumes: [...(prev.volumes ?? []), ...(service.volumes ?? [])],
      };
    }
  }
  return out;
};

const kindOfImage = (image = ''): TargetKind =>
  /opentelemetry-collector/.test(image)
    ? 'collector'
    : (/\/(prometheus|alertmanager|loki|tempo):/.exec(image)?.[1] as TargetKind | undefined) ?? 'unknown';

/** Host path mounted at `target` in a service (`./collector/x.yaml:/etc/...:ro`). */
const mountedFile = (service: ComposeService, target: string): string | undefined =>
  service.volumes
    ?.map((v) => v.split(':'))
    .find(([, t]) => t === target)?.[0]
    ?.replace(/^\.\//, '');

export const composeTopology = (id: string, title: string, files: string[]): Topology => {
  const services = composeServices(files);
  const nameOf = (host: string): string | undefined =>
    Object.entries(services).find(([name, s]) => name === host || s.hostname === host)?.[0];
  const collectors: CollectorInstance[] = Object.entries(services)
    .filter(([, s]) => kindOfImage(s.image) === 'collector')
    .map(([name, s]) => {
      const args = Array.isArray(s.command) ? s.command : (s.command ?? '').split(' ');
      const configFiles = args.filter((a) => a.startsWith('--config=')).map((a) => mountedFile(s, a.slice('--config='.length)) ?? a);
      return { name, config: mergeConfigs(configFiles.map((f) => readYaml(f))), files: configFiles, fromApps: false, spansFrom: [] };
    });
  for (const s of Object.values(services)) {
    const endpoint = envMap(s.environment).OTEL_EXPORTER_OTLP_ENDPOINT;
    const target = endpoint && nameOf(new URL(expandDefaults(endpoint)).hostname);
    const collector = collectors.find((c) => c.name === target);
    if (collector) collector.fromApps = true;
  }
  for (const c of collectors) {
    for (const host of loadBalancingHosts(c.config, envMap(services[c.name]?.environment))) {
      collectors.find((g) => g.name === nameOf(host))?.spansFrom.push(c.name);
    }
  }
  const prometheus = services.prometheus!;
  const main = readYaml<{ scrape_configs?: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>; otlp: Topology['otlp'] }>(
    mountedFile(prometheus, '/etc/prometheus/prometheus.yml') ?? 'prometheus/prometheus.yml',
  );
  const extraFiles = (prometheus.volumes ?? []).map((v) => v.split(':')).filter(([, t]) => t?.startsWith('/etc/prometheus/scrape.d/')).map(([f]) => f!.replace(/^\.\//, ''));
  const configs = [...(main.scrape_configs ?? []), ...extraFiles.flatMap((f) => readYaml<{ scrape_configs?: typeof main.scrape_configs }>(f).scrape_configs ?? [])];
  const scrapeJobs = configs.map((c) => ({
    job: c.job_name,
    targets: (c.static_configs ?? []).flatMap((sc) =>
      sc.targets.map((t) => {
        const name = nameOf(t.split(':')[0]!);
        const kind = kindOfImage(name ? services[name]?.image : undefined);
        return kind === 'collector' ? { kind, collector: name! } : { kind };
      }),
    ),
  }));
  const mounted = (files.flatMap((f) => readRepoFile(f).match(/\.\/(collector|prometheus)\/[\w.-]+/g) ?? []).map((p) => p.slice(2)));
  return { id, title, files: [...new Set([...files, ...mounted])], collectors, scrapeJobs, otlp: main.otlp };
};

/** Every topology of the matrix, in the order of the doc's columns. */
export const topologies = (): Topology[] => [
  composeTopology('compose', 'compose (one Collector)', ['docker-compose.yml']),
  composeTopology('compose+gateway', 'compose + agent/gateway overlay', ['docker-compose.yml', 'docker-compose.gateway.yml']),
  composeTopology('compose+hostmetrics', 'compose + host metrics overlay', ['docker-compose.yml', 'docker-compose.hostmetrics.yml']),
  kubernetesTopology('k8s', 'Kubernetes: agent DaemonSet + gateways', 'deploy/kubernetes'),
  kubernetesTopology('k8s-sidecar', 'Kubernetes: sidecar agents + gateways', 'deploy/kubernetes/overlays/sidecar'),
];
