/**
 * (c) Every `host:port` that a configuration names (Collector, Prometheus, Alertmanager, Grafana
 * provisioning, compose environment and healthchecks) is a compose service and a port that service
 * listens on. A typo ("promethues:9090") or a port that moved is otherwise only found at runtime, as
 * a Collector exporter retrying forever or an empty Grafana panel.
 */
import { describe, expect, it } from 'vitest';
import { environmentOf, loadCompose, publishedContainerPorts } from './support/compose.ts';
import { listFiles, readYaml, stringValues } from './support/repo.ts';

/**
 * What each compose service listens on inside the compose network (docs/contract-draft.md,
 * "Compose hostnames and ports"). One-shot containers listen on nothing.
 */
const LISTENS: Record<string, number[]> = {
  api: [8080],
  payments: [8081],
  worker: [8082],
  loadgen: [],
  postgres: [5432],
  redis: [6379],
  'collector-healthcheck-bin': [],
  // OTLP gRPC, OTLP HTTP, health_check extension, own metrics (Prometheus pull reader)
  'otel-collector': [4317, 4318, 13133, 8888],
  prometheus: [9090],
  alertmanager: [9093],
  loki: [3100, 9095],
  // query API, OTLP gRPC, OTLP HTTP, gRPC
  tempo: [3200, 4317, 4318, 9095],
  grafana: [3000],
  // HTTP (UI, query API, /ingest push), gRPC
  pyroscope: [4040, 9095],
};

/** A host name (not an IP, not localhost) followed by a port, inside any string value. */
const HOST_PORT = /(?<![\w.-])([a-z][a-z0-9-]*):(\d{2,5})(?!\d)/g;
const LOCAL = new Set(['localhost']);

interface Reference {
  where: string;
  host: string;
  port: number;
}

const referencesIn = (where: string, values: Array<{ path: string; value: string }>): Reference[] =>
  values.flatMap(({ path, value }) =>
    [...value.matchAll(HOST_PORT)]
      .filter((match) => !LOCAL.has(match[1] ?? ''))
      .map((match) => ({ where: `${where} ${path}`, host: match[1] ?? '', port: Number(match[2]) })),
  );

const problemsOf = (references: Reference[]): string[] =>
  references.flatMap(({ where, host, port }) => {
    const ports = LISTENS[host];
    if (ports === undefined) return [`${where}: "${host}" is not a compose service`];
    if (!ports.includes(port)) return [`${where}: ${host} does not listen on ${port} (it listens on ${ports.join(', ') || 'nothing'})`];
    return [];
  });

const compose = loadCompose();

/** Configuration files that address other services by compose host name. */
const CONFIG_FILES = [
  'collector/config.yaml',
  'collector/config.compose.yaml',
  'prometheus/prometheus.yml',
  'alertmanager/alertmanager.yml',
  ...listFiles('grafana/provisioning', ['.yaml', '.yml']),
];

describe('host:port references match compose services and their ports', () => {
  it('the port table covers exactly the compose services', () => {
    expect(Object.keys(LISTENS).sort()).toEqual(Object.keys(compose.services).sort());
  });

  it('every published container port is one the service listens on', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of publishedContainerPorts(service)) {
        expect(LISTENS[name], `${name} publishes ${port}`).toContain(port);
      }
    }
  });

  it('every published port binds to 127.0.0.1 only', () => {
    for (const [name, service] of Object.entries(compose.services)) {
      for (const port of service.ports ?? []) {
        const hostIp = typeof port === 'string' ? port.split(':')[0] : port.host_ip;
        expect(hostIp, `${name}: ${JSON.stringify(port)}`).toBe('127.0.0.1');
      }
    }
  });

  it('compose environment and healthchecks name existing services and ports', () => {
    const references = Object.entries(compose.services).flatMap(([name, service]) => [
      ...referencesIn(
        `docker-compose.yml ${name}`,
        Object.entries(environmentOf(service)).map(([key, value]) => ({ path: `environment.${key}`, value })),
      ),
      ...referencesIn(`docker-compose.yml ${name}`, stringValues(service.healthcheck?.test ?? [], 'healthcheck.test')),
    ]);
    expect(references.length).toBeGreaterThan(0);
    expect(problemsOf(references)).toEqual([]);
  });

  it.each(CONFIG_FILES)('%s names existing services and ports', (file) => {
    const references = referencesIn(file, stringValues(readYaml(file)));
    expect(problemsOf(references)).toEqual([]);
  });

  it('detects a wrong host and a wrong port (the check itself works)', () => {
    const problems = problemsOf(
      referencesIn('sample', [
        { path: 'a', value: 'http://promethues:9090/api/v1/otlp' },
        { path: 'b', value: 'loki:3200' },
        { path: 'c', value: 'http://tempo:3200' },
      ]),
    );
    expect(problems).toHaveLength(2);
  });
});

describe('Prometheus scrapes what the pipeline dashboard reads', () => {
  interface PromConfig {
    scrape_configs?: Array<{ job_name: string; static_configs?: Array<{ targets: string[] }> }>;
  }

  it('has a scrape job for every component in the dashboard\'s up{job=~"..."} panel', () => {
    const pipeline = readYaml<{ panels: Array<{ targets?: Array<{ expr?: string }> }> }>('grafana/dashboards/otelkit-pipeline.json');
    const upExpr = pipeline.panels
      .flatMap((panel) => panel.targets ?? [])
      .map((target) => target.expr ?? '')
      .find((expr) => expr.startsWith('up{'));
    const jobs = /job=~"([^"]+)"/.exec(upExpr ?? '')?.[1]?.split('|') ?? [];
    expect(jobs.length).toBeGreaterThan(0);
    // prometheus.yml's jobs, plus the agent and gateway jobs the gateway overlay adds (gateway-tier-scrape.test.ts).
    const configured = ['prometheus/prometheus.yml', 'prometheus/scrape-gateway-tiers.yml'].flatMap((file) =>
      (readYaml<PromConfig>(file).scrape_configs ?? []).map((job) => job.job_name),
    );
    expect(configured).toEqual(expect.arrayContaining(jobs));
  });
});
