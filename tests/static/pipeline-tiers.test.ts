/**
 * The Pipeline dashboard never adds Collector tiers together: with agents and gateways a span is
 * received, queued and sent once by its agent and again by its gateway, so a line summed over
 * both would count it twice. Every query of a Collector self-metric (otelcol_*) keeps `job`, the
 * tier (otel-collector, otel-agent, otel-gateway), in its aggregation, and the panel says so.
 */
import { describe, expect, it } from 'vitest';
import { loadDashboards } from './support/queries.ts';

interface PanelJson {
  type: string;
  title?: string;
  description?: string;
  targets?: Array<{ expr?: string }>;
}

const pipeline = loadDashboards().find(({ dashboard }) => dashboard.uid === 'otelkit-pipeline')?.dashboard as { panels: PanelJson[] } | undefined;
const collectorPanels = (pipeline?.panels ?? []).filter((panel) => panel.targets?.some((t) => /\botelcol_/.test(t.expr ?? '')));

/** Every aggregation (`sum`, `max`, ...) of an expression with the labels it keeps, or undefined for none. */
const aggregations = (expr: string): Array<string[] | undefined> =>
  [...expr.matchAll(/\b(sum|max|min|avg|count|topk|bottomk|quantile)\b\s*(?:by\s*\(([^)]*)\))?\s*\(/g)].map((m) =>
    m[2] === undefined ? undefined : m[2].split(',').map((label) => label.trim()),
  );

describe('Pipeline dashboard: Collector panels per tier', () => {
  it('finds the Collector panels', () => {
    expect(collectorPanels.map((p) => p.title)).toEqual(
      expect.arrayContaining(['Accepted by receivers', 'Sent by exporters', 'Export failures', 'Collector memory and CPU']),
    );
  });

  it.each(collectorPanels.map((p) => [p.title!, p] as const))('%s: every otelcol_ query aggregates by job, and the description says per tier', (_title, panel) => {
    for (const { expr = '' } of panel.targets ?? []) {
      if (!/\botelcol_/.test(expr)) continue;
      const aggs = aggregations(expr);
      expect(aggs.length, expr).toBeGreaterThan(0);
      for (const by of aggs) expect(by, `${expr}: an aggregation without by (job) adds the tiers together`).toContain('job');
    }
    expect(panel.description).toMatch(/Per tier/);
  });

  it('catches a query that adds the tiers together', () => {
    expect(aggregations('sum(rate(otelcol_receiver_accepted_spans[1m]))')).toEqual([undefined]);
    expect(aggregations('sum by (exporter) (rate(otelcol_exporter_sent_spans[1m]))')).toEqual([['exporter']]);
    expect(aggregations('max by (job) (otelcol_process_memory_rss)')).toEqual([['job']]);
  });
});
