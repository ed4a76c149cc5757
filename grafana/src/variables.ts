/**
 * Template variables (service, route, tenant). Each one lists the values Prometheus has seen for
 * one label in the dashboard's time range, allows several values, and renders "All" as `.*`
 * instead of a regex of every value (shorter queries, and new values are included at once).
 */
import { QueryVariableBuilder, VariableRefresh, VariableSort } from '@grafana/grafana-foundation-sdk/dashboard';
import { PROMETHEUS } from './datasources.ts';

const labelValuesVariable = (name: string, label: string, selector: string, labelName: string): QueryVariableBuilder => {
  const query = `label_values(${selector}, ${labelName})`;
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(PROMETHEUS)
    .query(query)
    .definition(query)
    .multi(true)
    .includeAll(true)
    .allValue('.*')
    .current({ selected: true, text: ['All'], value: ['$__all'] })
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
};

/** Services of the otelkit namespace that have sent `metric`. */
export const serviceVariable = (metric: string): QueryVariableBuilder =>
  labelValuesVariable('service', 'Service', `${metric}{service_namespace="otelkit"}`, 'service_name');

/** HTTP routes (templated, e.g. /orders/:id) served by the selected services. */
export const routeVariable = (): QueryVariableBuilder =>
  labelValuesVariable(
    'route',
    'Route',
    'http_server_request_duration_seconds_count{service_namespace="otelkit", service_name=~"$service"}',
    'http_route',
  );

/** Tenants that made API calls (the shop is multi-tenant; tenant_id is a bounded label). */
export const tenantVariable = (): QueryVariableBuilder =>
  labelValuesVariable('tenant', 'Tenant', 'shop_api_calls_total{service_namespace="otelkit"}', 'tenant_id');

/** Services that recorded exceptions (otelkit_exceptions_total, one per exception log record). */
export const exceptionServiceVariable = (metric: string): QueryVariableBuilder =>
  labelValuesVariable('service', 'Service', `${metric}{exception_type!=""}`, 'service_name');
