/**
 * Producers on Kubernetes of the infrastructure metrics the rules, dashboards and runbooks read:
 * postgresql_* and redis_* from the otel-dependency-metrics Collector (the compose receivers), and
 * system_* (host metrics), which has none here and is said so in deploy/kubernetes/README.md.
 */
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { listFiles, readRepoFile, readYaml } from './support/repo.ts';
import { DEFAULT, SIDECAR, container, find, rendered, type K8sObject } from './support/kubernetes.ts';

interface Config {
  receivers?: Record<string, unknown>;
  service?: { pipelines?: Record<string, { receivers?: string[]; exporters?: string[] }> };
}

/** Every Collector of a variant as its merged config (later --config files merge over earlier ones). */
const collectorConfigs = (variant: string): Array<{ who: string; config: Config }> => {
  const objects = rendered(variant);
  const out: Array<{ who: string; config: Config }> = [];
  for (const o of objects) {
    if (o.kind === 'OpenTelemetryCollector') out.push({ who: o.metadata.name, config: o.spec?.config as Config });
    for (const c of o.spec?.template?.spec.containers ?? []) {
      const files = (c.args ?? []).filter((a) => a.startsWith('--config=/')).map((a) => a.slice('--config='.length));
      if (files.length === 0) continue;
      const merged: Config = { receivers: {}, service: { pipelines: {} } };
      for (const file of files) {
        const mount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        const volume = o.spec?.template?.spec.volumes?.find((v) => v.name === mount?.name);
        const map = objects.find((x: K8sObject) => x.kind === 'ConfigMap' && x.metadata.name === volume?.configMap?.name);
        const part = parse(map?.data?.[file.slice((mount?.mountPath.length ?? 0) + 1)] ?? '') as Config;
        Object.assign(merged.receivers ?? {}, part.receivers);
        Object.assign(merged.service?.pipelines ?? {}, part.service?.pipelines);
      }
      out.push({ who: o.metadata.name, config: merged });
    }
  }
  return out;
};

/** Receiver types that feed a pipeline exporting to Prometheus, over every Collector of a variant. */
const producedToPrometheus = (variant: string): Set<string> =>
  new Set(
    collectorConfigs(variant).flatMap(({ config }) =>
      Object.values(config.service?.pipelines ?? {})
        .filter((p) => p.exporters?.some((e) => e.startsWith('otlp_http/prometheus')))
        .flatMap((p) => (p.receivers ?? []).map((r) => r.split('/')[0] ?? '')),
    ),
  );

/** Metric families read by the rules, dashboards and runbooks, and the receiver that writes each. */
const FAMILIES = { postgresql: 'postgresql', redis: 'redis', system: 'host_metrics' } as const;
const readers = [
  ...listFiles('prometheus/rules', ['.yml']),
  ...listFiles('grafana/src', ['.ts']),
  ...listFiles('docs/runbooks', ['.md']),
].map((f) => readRepoFile(f));
const read = (family: string) => readers.some((text) => new RegExp(`\\b${family}_[a-z_]+`).test(text));

describe('infrastructure metrics on Kubernetes', () => {
  it.each([DEFAULT, SIDECAR])('%s: postgresql_* and redis_* are read, and written by a Collector here', (variant) => {
    const produced = producedToPrometheus(variant);
    for (const family of ['postgresql', 'redis'] as const) {
      expect(read(family), `something reads ${family}_*`).toBe(true);
      expect(produced.has(FAMILIES[family]), `a ${FAMILIES[family]} receiver exports to Prometheus`).toBe(true);
    }
  });

  it('system_* (host metrics) has no producer here, and the README says so and why', () => {
    expect(read('system')).toBe(true);
    for (const variant of [DEFAULT, SIDECAR]) expect(producedToPrometheus(variant).has('host_metrics')).toBe(false);
    const readme = readRepoFile('deploy/kubernetes/README.md');
    expect(readme).toMatch(/\| Resource dashboard: host rows \(`system_\*`\) \| \*\*nothing\*\*/);
    expect(readme).toMatch(/\*\*No host metrics\.\*\*[\s\S]{0,400}forbids `hostPath`/);
  });

  it("otel-dependency-metrics runs compose's receivers: config.yaml's redis, config.compose.yaml itself", () => {
    const cm = find(DEFAULT, 'ConfigMap', 'otel-dependency-metrics-config');
    expect(cm.data?.['config.compose.yaml']).toBe(readRepoFile('collector/config.compose.yaml'));
    const own = parse(cm.data?.['dependencies.yaml'] ?? '') as Config;
    expect(own.receivers?.redis).toEqual(readYaml<Config>('collector/config.yaml').receivers?.redis);
    const c = container(DEFAULT, 'Deployment', 'otel-dependency-metrics');
    expect(c.args).toEqual(['--config=/etc/otelcol/dependencies.yaml', '--config=/etc/otelcol/config.compose.yaml']);
    // The contrib image (it has the postgresql receiver), the gateway's version.
    expect(c.image).toBe(container(DEFAULT, 'StatefulSet', 'otel-gateway').image);
    // Credentials from the Secret Postgres itself uses.
    for (const key of ['POSTGRES_USER', 'POSTGRES_PASSWORD']) {
      const secret = c.env?.find((e) => e.name === key)?.valueFrom?.secretKeyRef?.name;
      expect(secret).toBe(find(DEFAULT, 'Secret', 'postgres-credentials').metadata.name);
      expect(container(DEFAULT, 'StatefulSet', 'postgres').env?.find((e) => e.name === key)?.valueFrom?.secretKeyRef?.name).toBe(secret);
    }
  });

  it('one replica, replaced not surged: two would write every series twice', () => {
    const d = find(DEFAULT, 'Deployment', 'otel-dependency-metrics');
    expect(d.spec?.replicas).toBe(1);
    expect(d.spec?.strategy?.type).toBe('Recreate');
    // The only Collector with these receivers: no agent or gateway reads the servers N times.
    const readers = collectorConfigs(DEFAULT).filter(({ config }) =>
      Object.keys(config.receivers ?? {}).some((r) => /^(postgresql|redis)\b/.test(r)),
    );
    expect(readers.map((r) => r.who)).toEqual(['otel-dependency-metrics']);
  });
});
