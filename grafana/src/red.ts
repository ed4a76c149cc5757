/**
 * RED dashboard (uid otelkit-red): Rate, Errors, Duration of every HTTP service, per service and
 * per route, with the way out to traces (exemplars, data links) and logs.
 *
 * Sources: http.server.request.duration from the SDKs (docs/contract-draft.md) and, for the
 * exemplar dots, the Collector's spanmetrics histogram (the JS metrics SDK records no exemplars).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { P95_LATENCY_ALERT_SECONDS, ERROR_RATIO_ALERT, alertThresholds, UNDER_SAMPLING } from './thresholds.ts';
import { routeVariable, serviceVariable } from './variables.ts';
import { dataLink, exploreLink, lokiLogsUrl, otelkitDashboardsLink, tempoSearchUrl } from './links.ts';
import { logs, lokiTimeseries, promInstantTable, promRange, promTable, stat, timeseries, traceTable } from './panels.ts';

const HTTP = 'http_server_request_duration_seconds';
/** Every RED query starts from the dashboard's selection. */
const SEL = 'service_namespace="otelkit", service_name=~"$service", http_route=~"$route"';
const FIVE_XX = 'http_response_status_code=~"5.."';

const quantileBy = (q: number, by: string, window: string): string =>
  `histogram_quantile(${q}, sum by (le, ${by}) (rate(${HTTP}_bucket{${SEL}}[${window}])))`;

/** 5xx / all, 0 (not "no data") while a series has no 5xx yet. Same shape as prometheus/rules/red.yml. */
const errorRatioBy = (by: string, window: string): string =>
  `(sum by (${by}) (rate(${HTTP}_count{${SEL}, ${FIVE_XX}}[${window}]))` +
  ` or on (${by}) (sum by (${by}) (rate(${HTTP}_count{${SEL}}[${window}])) * 0))` +
  ` / on (${by}) sum by (${by}) (rate(${HTTP}_count{${SEL}}[${window}]))`;

/** All queries of this dashboard, in one place so they are easy to review and adjust. */
export const queries = {
  requestRate: `sum(rate(${HTTP}_count{${SEL}}[$__rate_interval]))`,
  errorRatio:
    `(sum(rate(${HTTP}_count{${SEL}, ${FIVE_XX}}[$__rate_interval])) or vector(0))` +
    ` / sum(rate(${HTTP}_count{${SEL}}[$__rate_interval]))`,
  p95: `histogram_quantile(0.95, sum by (le) (rate(${HTTP}_bucket{${SEL}}[$__rate_interval])))`,
  rateByRoute: `sum by (service_name, http_route) (rate(${HTTP}_count{${SEL}}[$__rate_interval]))`,
  rateByStatus: `sum by (http_response_status_code) (rate(${HTTP}_count{${SEL}}[$__rate_interval]))`,
  errorRatioByRoute: errorRatioBy('service_name, http_route', '$__rate_interval'),
  p50ByService: quantileBy(0.5, 'service_name', '$__rate_interval'),
  p95ByService: quantileBy(0.95, 'service_name', '$__rate_interval'),
  p99ByService: quantileBy(0.99, 'service_name', '$__rate_interval'),
  // Server spans of the same requests, from the Collector's spanmetrics connector: its buckets
  // carry exemplars (trace_id of a real request) that Grafana draws as dots on the panel.
  // (No service_namespace matcher: the connector's series carry service_name, not every resource
  // attribute. http_route is one of its configured dimensions, see collector/config.yaml.)
  p95ExemplarsByService:
    'histogram_quantile(0.95, sum by (le, service_name) (rate(traces_span_metrics_duration_seconds_bucket{' +
    'service_name=~"$service", span_kind="SPAN_KIND_SERVER", http_route=~"$route"}[$__rate_interval])))',
  routesP95: quantileBy(0.95, 'service_name, http_route', '$__range'),
  routesRate: `sum by (service_name, http_route) (rate(${HTTP}_count{${SEL}}[$__range]))`,
  routesErrorRatio: errorRatioBy('service_name, http_route', '$__range'),
  // The api's calls to the payment gateway (undici client spans/metrics).
  paymentsClientP95:
    'histogram_quantile(0.95, sum by (le, service_name, server_address) (rate(http_client_request_duration_seconds_bucket{' +
    'service_namespace="otelkit", service_name=~"$service"}[$__rate_interval])))',
  dbOperationP95:
    'histogram_quantile(0.95, sum by (le, service_name, db_operation_name) (rate(db_client_operation_duration_seconds_bucket{' +
    'service_namespace="otelkit", service_name=~"$service"}[$__rate_interval])))',
  errorLogs: '{service_namespace="otelkit", service_name=~"$service"} | detected_level=~"error|fatal"',
  // detected_level is derived by Loki from the OTLP severity of each record.
  logVolumeByLevel:
    'sum by (service_name, detected_level) (count_over_time({service_namespace="otelkit", service_name=~"$service"}[$__auto]))',
  errorTraces:
    '{resource.service.namespace="otelkit" && resource.service.name=~"$service" && kind=server && span.http.route=~"$route" && status=error}',
  slowTraces: `{resource.service.namespace="otelkit" && resource.service.name=~"$service" && kind=server && span.http.route=~"$route" && duration > ${P95_LATENCY_ALERT_SECONDS}s}`,
} as const;

/** Data links from a row/series that has service_name (and maybe http_route) to traces and logs. */
const routeLinks = (service: string, route: string) => [
  dataLink(
    'Traces of this route (Tempo)',
    tempoSearchUrl(`{resource.service.name="${service}" && kind=server && span.http.route="${route}"}`),
  ),
  dataLink(
    'Failed traces of this route (Tempo)',
    tempoSearchUrl(`{resource.service.name="${service}" && kind=server && span.http.route="${route}" && status=error}`),
  ),
  dataLink('Logs of this service (Loki)', lokiLogsUrl(`{service_namespace="otelkit", service_name="${service}"}`)),
];

const overview = [
  stat(
    { title: 'Requests per second', description: 'All HTTP requests served by the selected services and routes.' },
    { w: 6, h: 5 },
    'reqps',
    [promRange('A', queries.requestRate, 'req/s')],
  ),
  stat(
    {
      title: '5xx error ratio',
      description: `Share of requests answered 5xx. Red at ${ERROR_RATIO_ALERT * 100}%, the HighErrorRate alert threshold.`,
    },
    { w: 6, h: 5 },
    'percentunit',
    [promRange('A', queries.errorRatio, '5xx ratio')],
    alertThresholds(ERROR_RATIO_ALERT, ERROR_RATIO_ALERT / 2),
  ),
  stat(
    {
      title: 'p95 latency',
      description: `95th percentile of request duration. Red at ${P95_LATENCY_ALERT_SECONDS}s, the HighLatencyP95 alert threshold.`,
    },
    { w: 6, h: 5 },
    's',
    [promRange('A', queries.p95, 'p95')],
    alertThresholds(P95_LATENCY_ALERT_SECONDS, P95_LATENCY_ALERT_SECONDS / 2),
  ),
  stat(
    { title: 'Requests by status (now)', description: 'Current request rate per status code, all selected services.' },
    { w: 6, h: 5 },
    'reqps',
    [promRange('A', queries.rateByStatus, '{{http_response_status_code}}')],
  ),
];

const rate = [
  timeseries({ title: 'Request rate by route', description: 'Click a series for its traces and logs.' }, { w: 12, h: 8 }, 'reqps', [
    promRange('A', queries.rateByRoute, '{{service_name}} {{http_route}}'),
  ]).dataLinks(routeLinks('${__field.labels.service_name}', '${__field.labels.http_route}')),
  timeseries(
    {
      title: '5xx error ratio by route',
      description: `Dashed line: the ${ERROR_RATIO_ALERT * 100}% HighErrorRate threshold (the alert also needs > 0.1 req/s and 5m).`,
    },
    { w: 12, h: 8 },
    'percentunit',
    [promRange('A', queries.errorRatioByRoute, '{{service_name}} {{http_route}}')],
    alertThresholds(ERROR_RATIO_ALERT),
  ).dataLinks(routeLinks('${__field.labels.service_name}', '${__field.labels.http_route}')),
];

const latency = [
  timeseries(
    {
      title: 'Latency p50 / p95 / p99 by service (dots: exemplars)',
      description:
        'Quantiles from http.server.request.duration. The dots are exemplars of the spanmetrics ' +
        'histogram for the same server spans: hover one and choose "View trace" to open that exact request.' +
        UNDER_SAMPLING.weighted,
    },
    { w: 24, h: 9 },
    's',
    [
      promRange('A', queries.p50ByService, '{{service_name}} p50'),
      promRange('B', queries.p95ByService, '{{service_name}} p95'),
      promRange('C', queries.p99ByService, '{{service_name}} p99'),
      promRange('D', queries.p95ExemplarsByService, '{{service_name}} p95 (span metrics)').exemplar(true),
    ],
    alertThresholds(P95_LATENCY_ALERT_SECONDS),
  ),
];

const routesTable = promTable(
  {
    title: 'Routes, slowest first',
    description:
      'p95, request rate and 5xx ratio of each route over the whole time range. Click a row for the ' +
      "route's traces (all, or only failed ones) and the service's logs.",
  },
  { w: 24, h: 9 },
  [promInstantTable('A', queries.routesP95), promInstantTable('B', queries.routesRate), promInstantTable('C', queries.routesErrorRatio)],
)
  .transformations([
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: {
          service_name: 'service',
          http_route: 'route',
          'Value #A': 'p95',
          'Value #B': 'req/s',
          'Value #C': '5xx ratio',
        },
      },
    },
    { id: 'sortBy', options: { sort: [{ field: 'p95', desc: true }] } },
  ])
  .overrideByName('p95', [
    { id: 'unit', value: 's' },
    { id: 'custom.cellOptions', value: { type: 'color-text' } },
    { id: 'thresholds', value: alertThresholds(P95_LATENCY_ALERT_SECONDS).build() },
  ])
  .overrideByName('req/s', [{ id: 'unit', value: 'reqps' }])
  .overrideByName('5xx ratio', [
    { id: 'unit', value: 'percentunit' },
    { id: 'custom.cellOptions', value: { type: 'color-text' } },
    { id: 'thresholds', value: alertThresholds(ERROR_RATIO_ALERT).build() },
  ])
  .dataLinks(routeLinks('${__data.fields.service}', '${__data.fields.route}'));

const dependencies = [
  timeseries(
    {
      title: 'Outgoing HTTP p95 (api -> payments)',
      description: 'Client-side latency of calls to other services: slow payments show up here before in the api p95.',
    },
    { w: 12, h: 8 },
    's',
    [promRange('A', queries.paymentsClientP95, '{{service_name}} -> {{server_address}}')],
  ),
  timeseries(
    { title: 'Database p95 by operation', description: 'db.client.operation.duration from our Postgres wrapper.' },
    { w: 12, h: 8 },
    's',
    [promRange('A', queries.dbOperationP95, '{{service_name}} {{db_operation_name}}')],
  ),
];

const evidence = [
  traceTable(
    {
      title: 'Failed requests (traces)',
      description: 'Server spans with status error. Click a trace id to open it.' + UNDER_SAMPLING.traces,
    },
    { w: 12, h: 9 },
    queries.errorTraces,
  ),
  traceTable(
    {
      title: `Requests slower than ${P95_LATENCY_ALERT_SECONDS}s (traces)`,
      description: 'Server spans above the p95 alert threshold: the waterfall shows where the time went.' + UNDER_SAMPLING.traces,
    },
    { w: 12, h: 9 },
    queries.slowTraces,
  ),
  lokiTimeseries(
    {
      title: 'Log lines by level',
      description: 'Log volume per service and level: a burst of warn/error lines often explains a red panel above.',
    },
    { w: 24, h: 6 },
    queries.logVolumeByLevel,
    '{{service_name}} {{detected_level}}',
  ),
  logs(
    {
      title: 'Error logs',
      description: 'Log lines at level error or fatal. Expand a line: trace_id links to the trace in Tempo.',
    },
    { w: 24, h: 10 },
    queries.errorLogs,
  ),
];

/** Builds the RED dashboard. */
export const redDashboard = (): Dashboard => {
  const builder = new DashboardBuilder('otelkit / RED: rate, errors, duration')
    .uid('otelkit-red')
    .description('Request rate, 5xx ratio and latency per service and route, linked to traces and logs.')
    .tags(['otelkit', 'red'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(serviceVariable(HTTP + '_count'))
    .withVariable(routeVariable())
    .link(otelkitDashboardsLink())
    .link(
      exploreLink(
        'Search traces',
        tempoSearchUrl('{resource.service.namespace="otelkit" && resource.service.name=~"${service:regex}"}'),
        'TraceQL search in Tempo for the selected services',
      ),
    )
    .link(
      exploreLink(
        'Logs',
        lokiLogsUrl('{service_namespace="otelkit", service_name=~"${service:regex}"}'),
        'Loki logs of the selected services',
      ),
    );
  for (const panel of overview) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Rate and errors'));
  for (const panel of rate) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Duration'));
  for (const panel of latency) builder.withPanel(panel);
  builder.withPanel(routesTable);
  builder.withRow(new RowBuilder('Dependencies'));
  for (const panel of dependencies) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Evidence: traces and logs'));
  for (const panel of evidence) builder.withPanel(panel);
  return builder.build();
};
