/** The backends' Helm values (deploy/kubernetes/helm) against the rendered manifests and the compose configs. */
import { describe, expect, it } from 'vitest';
import { envExample, resolveCompose, writeEnvFile } from './support/compose-config.ts';
import { readRepoFile, readYaml } from './support/repo.ts';
import { DEFAULT, SHOP, container, envOf, find } from './support/kubernetes.ts';

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
        envOf(container(DEFAULT, 'StatefulSet', 'otel-gateway').env, v),
      ),
      envOf(container(DEFAULT, 'DaemonSet', 'otel-agent').env, 'PROMETHEUS_OTLP_ENDPOINT'),
      envOf(container(DEFAULT, 'Deployment', 'otel-dependency-metrics').env, 'PROMETHEUS_OTLP_ENDPOINT'),
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
    const jobs = (c: unknown) => (at(c, 'scrape_configs') as Array<{ job_name: string }>).map((j) => j.job_name);
    // The Collector jobs of the compose agent/gateway overlay instead of the single Collector's,
    // plus the Postgres/Redis metrics Collector; no otel-collector job (OtelCollectorDown is its alone).
    const expected = [
      ...jobs(repoConfig).filter((j) => j !== 'otel-collector'),
      ...jobs(readYaml('prometheus/scrape-gateway-tiers.yml')),
      'otel-dependency-metrics',
    ];
    expect(jobs(config).sort()).toEqual(expected.sort());
    expect(config?.otlp).toEqual(repoConfig.otlp);
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
