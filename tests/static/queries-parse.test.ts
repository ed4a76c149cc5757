/**
 * (f) Every PromQL, LogQL and TraceQL query in the dashboards and in data source provisioning parses
 * with the grammar the query editors use (Lezer): a syntax error otherwise shows up only as a red
 * panel after `docker compose up`. Grafana variables are replaced by plain values first.
 */
import { describe, expect, it } from 'vitest';
import type { FoundQuery } from './support/queries.ts';
import { dashboardQueries, interpolate, loadDashboards, provisioningQueries, syntaxErrors } from './support/queries.ts';

const allQueries: FoundQuery[] = [
  ...loadDashboards().flatMap(({ file, dashboard }) => dashboardQueries(file, dashboard)),
  ...provisioningQueries(),
];

describe('query syntax', () => {
  it('finds queries of all three languages', () => {
    const languages = new Set(allQueries.map((query) => query.language));
    expect([...languages].sort()).toEqual(['logql', 'promql', 'traceql']);
    expect(allQueries.length).toBeGreaterThan(80);
  });

  it.each(allQueries.map((query) => [`${query.language}: ${query.source}`, query]))('%s parses', (_name, query) => {
    expect(syntaxErrors(query.language, query.query), interpolate(query.query)).toEqual([]);
  });

  it.each([
    ['promql', 'sum(rate(http_server_request_duration_seconds_count{service_name="api"}[5m])'],
    ['promql', 'histogram_quantile(0.95, sum by (le) rate(x_bucket[5m]))'],
    ['logql', '{service_name="api" | detected_level="error"'],
    ['logql', '{service_name="api"} | trace_id='],
    ['traceql', '{resource.service.name="api" && }'],
    ['traceql', '{span.http.route="/orders" && duration > }'],
  ] as const)('rejects broken %s: %s (the check itself works)', (language, query) => {
    expect(syntaxErrors(language, query).length).toBeGreaterThan(0);
  });

  it('replaces Grafana variables the way Grafana would', () => {
    expect(interpolate('rate(x{a=~"$service"}[$__rate_interval])')).toBe('rate(x{a=~"x"}[5m])');
    expect(interpolate('{${__tags}} | trace_id="${__trace.traceId}"')).toBe('{service_namespace="otelkit"} | trace_id="x"');
    expect(interpolate('sum(x{$__tags, b="c"})')).toBe('sum(x{service_name="api", b="c"})');
  });
});
