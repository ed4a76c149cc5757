import { dashboardQueries, loadDashboards, provisioningQueries, type FoundQuery } from '../static/support/queries.ts';

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
