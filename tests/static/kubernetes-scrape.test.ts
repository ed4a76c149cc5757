/**
 * The Collector scrape jobs of deploy/kubernetes/helm/prometheus.yaml, applied to the rendered pods of
 * both variants: each job keeps exactly the Collectors it names, on their 8888 metrics port, with the
 * labels prometheus/rules/collector.yml and alertmanager/alertmanager.yml use.
 */
import { describe, expect, it } from 'vitest';
import { readYaml } from './support/repo.ts';
import { DEFAULT, SHOP, SIDECAR } from './support/kubernetes.ts';
import { podTargets, type ScrapeConfig } from './support/kubernetes-scrape.ts';

const values = readYaml<{ serverFiles: { 'prometheus.yml': { scrape_configs: ScrapeConfig[] } } }>(
  'deploy/kubernetes/helm/prometheus.yaml',
);
const job = (name: string): ScrapeConfig => {
  const found = values.serverFiles['prometheus.yml'].scrape_configs.find((j) => j.job_name === name);
  if (!found) throw new Error(`helm/prometheus.yaml has no job ${name}`);
  return found;
};
const summary = (variant: string, name: string) =>
  podTargets(variant, job(name))
    .map((t) => `${t.workload}:${t.port}${t.labels.service_name ? ` service_name=${t.labels.service_name}` : ''}`)
    .sort();

describe('Collector scrape jobs on Kubernetes', () => {
  it('otel-agent: the DaemonSet agent; no shop pod in the DaemonSet variant (a shop pod has no agent there)', () => {
    expect(summary(DEFAULT, 'otel-agent')).toEqual(['otel-agent:8888']);
  });

  it('otel-agent, sidecar variant: the injected agent of every shop pod, with its service in service_name', () => {
    expect(summary(SIDECAR, 'otel-agent')).toEqual(SHOP.map((s) => `${s}:8888 service_name=${s}`).sort());
  });

  it.each([DEFAULT, SIDECAR])('%s: otel-gateway keeps the gateways, otel-dependency-metrics the Postgres/Redis Collector', (variant) => {
    expect(summary(variant, 'otel-gateway')).toEqual(['otel-gateway:8888']);
    expect(summary(variant, 'otel-dependency-metrics')).toEqual(['otel-dependency-metrics:8888']);
  });

  it("OtelCollectorTierDown keeps a sidecar's service_name, so Alertmanager silences only that service", () => {
    const rules = readYaml<{ groups: Array<{ rules: Array<{ alert?: string; expr: string }> }> }>('prometheus/rules/collector.yml');
    const expr = rules.groups.flatMap((g) => g.rules).find((r) => r.alert === 'OtelCollectorTierDown')?.expr ?? '';
    // up{job=~"..."} selects our job names.
    const jobs = new RegExp(`^(?:${/job=~"([^"]+)"/.exec(expr)?.[1]})$`);
    for (const name of ['otel-agent', 'otel-gateway']) expect(jobs.test(name), name).toBe(true);
    // label_replace(v, "service_name", "$1", "instance", REGEX): a non-matching instance leaves v as
    // it is, so the target's own service_name survives; a matching one would overwrite it.
    const m = /label_replace\(.*,\s*"service_name",\s*"\$1",\s*"instance",\s*"([^"]+)"\)\s*$/.exec(expr);
    expect(m, 'the alert derives service_name with label_replace on instance').not.toBeNull();
    const instanceRegex = new RegExp(`^(?:${m?.[1]})$`);
    for (const target of podTargets(SIDECAR, job('otel-agent'))) {
      const labels = { ...target.labels };
      const match = instanceRegex.exec(labels.instance ?? '');
      if (match) labels.service_name = match[1] ?? '';
      expect(labels.service_name, target.labels.instance).toBe(target.workload);
    }
    // ...and the inhibition pairs the alert with ServiceDown/NoTraffic of the same service_name.
    const am = readYaml<{ inhibit_rules: Array<{ source_matchers: string[]; target_matchers: string[]; equal?: string[] }> }>(
      'alertmanager/alertmanager.yml',
    );
    const inhibit = am.inhibit_rules.find((r) => r.source_matchers.some((s) => s.includes('OtelCollectorTierDown')));
    expect(inhibit?.equal).toEqual(['service_name']);
  });
});
