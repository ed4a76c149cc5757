import { dashboardQueries, loadDashboards, provisioningQueries, type FoundQuery } from '../static/support/queries.ts';
import { query } from './prometheus-api.ts';

/** What Grafana would substitute for the template variables and macros, for one concrete view. */
const VALUES: Record<string, string> = {
  service: 'api',
  tenant: 'acme',
  route: '/api/orders',
  __rate_interval: '1m',
  __interval: '30s',
  __range: '1h',
  __range_s: '3600',
  __auto: '1m',
};

/**
 * Panels whose queries cannot return data natively, by title: the self-metrics of Loki, Tempo and
 * Grafana (they run only in compose), and the postgresql receiver (compose only: it cannot be built
 * from the Go module proxy, see collector/README.md). They are still parsed by tests/static.
 */
export const NOT_NATIVE_PANELS = [/panel "(Loki|Tempo|Grafana)\b/, /panel "Postgres /];

export function substitute(query: string): string {
  return query
    .replace(/\$\{__span\.name\}/g, 'POST /api/orders')
    .replace(/\{\$\{__tags\}\}/g, '{service_name="api"}')
    .replace(/\$\{__tags\}|\$__tags/g, 'service_name="api"')
    .replace(
      /\$\{(\w+)(?::[^}]*)?\}|\$(\w+)/g,
      (whole, braced: string | undefined, bare: string | undefined) => VALUES[braced ?? bare ?? ''] ?? whole,
    );
}

/** Every PromQL query of the dashboards and of data source provisioning, variables substituted. */
export function promqlQueries(): Array<FoundQuery & { native: boolean }> {
  const all = [...loadDashboards().flatMap(({ file, dashboard }) => dashboardQueries(file, dashboard)), ...provisioningQueries()];
  return all
    .filter((q) => q.language === 'promql')
    .map((q) => ({ ...q, query: substitute(q.query), native: !NOT_NATIVE_PANELS.some((pattern) => pattern.test(q.source)) }));
}

/** Of `queries`, those Prometheus answers with no series, as `source: query`. */
export async function unansweredQueries(queries: FoundQuery[]): Promise<string[]> {
  const empty: string[] = [];
  for (const q of queries) if ((await query(q.query)).length === 0) empty.push(`${q.source}: ${q.query}`);
  return empty;
}

/**
 * Grafana's Tempo data source (13.2, grafana/grafana-tempo-datasource src/datasource.ts and
 * graphTransform.ts) queries fixed metric names for the service graph and its span table; these are
 * its queries as it builds them (instant, over the dashboard range `range`), with a span name of ours.
 */
export const grafanaTempoQueries = (range: string): string[] => [
  `sum by (client, server) (rate(traces_service_graph_request_server_seconds_sum[${range}]))`,
  `sum by (client, server) (rate(traces_service_graph_request_total[${range}]))`,
  `group by (client, connection_type, server) (traces_service_graph_request_total)`,
  `topk(5, sum(rate(traces_spanmetrics_calls_total{span_kind="SPAN_KIND_SERVER"}[${range}])) by (span_name))`,
  `histogram_quantile(.9, sum(rate(traces_spanmetrics_latency_bucket{span_name=~"GET /api/products"}[${range}])) by (le))`,
  // A filtered table: Grafana rewrites its client/server filter to `service`.
  `sum(rate(traces_spanmetrics_calls_total{service="api"}[${range}])) by (span_name)`,
];
