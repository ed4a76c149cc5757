/**
 * Numbers the docs state about the SLOs and the pipeline, recomputed from the files they describe:
 * the error budget of docs/slos.md, its samples-per-evaluation table, the Prometheus retention
 * loki/loki.yaml mentions, and the retry backoff and SDK batch delay of collector/README.md.
 */
import { describe, expect, it } from 'vitest';
import { readRepoFile, readYaml } from './support/repo.ts';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400 };
const seconds = (duration: string): number =>
  [...duration.matchAll(/(\d+)(ms|s|m|h|d)/g)].reduce((sum, [, value, unit]) => sum + Number(value) * UNITS[unit!]!, 0);
const grouped = (n: number) => n.toLocaleString('en-US');

/** The value of `slo:objective:ratio` (vector(0.999)) in a rule file. */
function objective(file: string): number {
  const rules = readYaml<{ groups: Array<{ rules: Array<{ record?: string; expr: string }> }> }>(file).groups.flatMap((g) => g.rules);
  return Number(/vector\(([\d.]+)\)/.exec(rules.find((r) => r.record === 'slo:objective:ratio')!.expr)![1]);
}

/** A variable's default in the x-otel-env block of docker-compose.yml (`${NAME:-default}`). */
const composeDefault = (name: string): string => new RegExp(`${name}: \\$\\{${name}:-(\\d+)\\}`).exec(readRepoFile('docker-compose.yml'))![1]!;

const slos = readRepoFile('docs/slos.md');
const prometheus = readYaml<{ global: { evaluation_interval: string }; storage: { tsdb: { retention: { time: string; size: string } } } }>(
  'prometheus/prometheus.yml',
);
const thirtyDays = 30 * 86_400;

describe('docs/slos.md', () => {
  it('states the availability budget at 10 req/s as the rules define it', () => {
    const budget = 1 - objective('prometheus/rules/slo-api-availability.yml');
    const requests = Math.round(budget * 10 * thirtyDays);
    expect(requests).toBe(25_920);
    expect(slos).toContain(`At a steady 10 req/s that is ${grouped(requests)} failed requests per 30 days`);
    expect(slos).toContain(`or ${Math.floor((budget * thirtyDays) / 60)} minutes of total outage`);
    const latencyBudget = 1 - objective('prometheus/rules/slo-api-latency.yml');
    expect(slos).toContain(`(${grouped(Math.round(latencyBudget * 10 * thirtyDays))} requests in 30 days at a\nsteady 10 req/s)`);
  });

  it('samples per evaluation of the 30-day window: raw series at the push interval before, two records per SLO at the evaluation interval after', () => {
    const pushed = thirtyDays / (Number(composeDefault('OTEL_METRIC_EXPORT_INTERVAL')) / 1000);
    const recorded = thirtyDays / seconds(prometheus.global.evaluation_interval);
    expect([pushed, recorded]).toEqual([259_200, 172_800]);
    // 2,500 _count series, 500 of them 5xx: availability reads 5xx + total twice, latency le="0.5" + total.
    const before = (500 + 2 * 2_500) * pushed + (2_500 + 2_500) * pushed;
    expect(slos).toContain(`**${grouped(before)}** (${Math.floor(before / 50_000_000)} × 50,000,000)`);
    expect(slos).toContain(`4 × ${grouped(recorded)} = **${grouped(4 * recorded)}**`);
  });
});

describe('numbers in other files that describe a config', () => {
  it('loki/loki.yaml states the Prometheus retention of prometheus.yml', () => {
    const { time, size } = prometheus.storage.tsdb.retention;
    const loki = readRepoFile('loki/loki.yaml');
    expect(loki).toContain(`Prometheus keeps ${time} of metrics (capped at ${size}`);
    expect(loki).not.toMatch(/Prometheus keeps 15d/);
  });

  it('collector/README.md states the exporter backoff of collector/config.yaml', () => {
    const exporters = readYaml<{ exporters: Record<string, { retry_on_failure?: { initial_interval: string; max_interval: string; max_elapsed_time: string } }> }>(
      'collector/config.yaml',
    ).exporters;
    const retries = Object.values(exporters).map((e) => e.retry_on_failure);
    expect(retries.length).toBeGreaterThanOrEqual(3);
    for (const retry of retries) expect(retry).toMatchObject(retries[0]!);
    const { initial_interval, max_interval, max_elapsed_time } = retries[0]!;
    const readme = readRepoFile('collector/README.md');
    expect(readme).toContain(
      `\`retry_on_failure\` (${seconds(initial_interval)} s backoff doubling up to ${seconds(max_interval)} s between attempts, for up to ${seconds(max_elapsed_time) / 60} min)`,
    );
  });

  it('collector/README.md states the SDK span batch delay that compose and the SDK defaults set', () => {
    const delay = Number(composeDefault('OTEL_BSP_SCHEDULE_DELAY'));
    expect(readRepoFile('src/instrumentation/otel-defaults.ts')).toContain(`OTEL_BSP_SCHEDULE_DELAY: '${delay}'`);
    const readme = readRepoFile('collector/README.md');
    expect(readme).toContain(`every ${delay / 1000} s (\`OTEL_BSP_SCHEDULE_DELAY=${delay}\``);
    expect(readme).not.toMatch(/batch span processor exports every 5 s/);
  });

  it('collector/README.md does not deny a component the distribution builds', () => {
    const built = readRepoFile('collector/builder-config.yaml');
    const readme = readRepoFile('collector/README.md');
    if (/connector\/forwardconnector /.test(built)) expect(readme).not.toMatch(/`forward` connector[^.]*isn't in our distribution/);
  });
});
