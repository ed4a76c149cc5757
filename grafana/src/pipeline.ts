/**
 * Pipeline dashboard (uid otelkit-pipeline): is the telemetry itself healthy? The Collector's own
 * metrics per signal (accepted -> sent, refused, failed, queued), then whether each backend
 * ingests what the Collector sends. This is the first stop for "I see no data"
 * (docs/troubleshooting.md walks through it panel by panel).
 *
 * Collector metrics come from Prometheus scraping otel-collector:8888 (job "otel-collector") and, with
 * the agent + gateway overlay or Kubernetes, the tiers' :8888 (jobs "otel-agent", "otel-gateway");
 * every Collector panel is per tier (grouped by job, said in its description as PER_TIER), so a
 * span counted by its agent and again by its gateway is never summed into one line. Backend self-metrics come from the scrape jobs prometheus, alertmanager, loki and tempo.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, MappingType, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { otelkitDashboardsLink } from './links.ts';
import { alertThresholds, upThresholds, UNDER_SAMPLING } from './thresholds.ts';
import { promRange, stat, timeseries } from './panels.ts';
import type { PromQuery } from './panels.ts';

const RATE = '[$__rate_interval]';
/** Grafana custom units: items (spans, points, log records) and events per second. */
const ITEMS = 'suffix: items/s';
const PER_SECOND = 'suffix: /s';
/** The three OTLP signals with the item name each Collector metric uses for them. */
const SIGNALS = [
  { name: 'spans', legend: 'traces' },
  { name: 'metric_points', legend: 'metrics' },
  { name: 'log_records', legend: 'logs' },
] as const;

/**
 * `sum by (<by>) (rate(otelcol_<metric>_<item>[...]))` for one signal's item name. The Collector's
 * counters carry no `_total` suffix (collector/config.yaml pins without_type_suffix).
 */
const collectorRate = (metric: string, item: string, by?: string): string =>
  `sum${by === undefined ? '' : ` by (${by}) `}(rate(otelcol_${metric}_${item}${RATE}))`;

/**
 * Failure counters exist only after their first increment: `or vector(0)` draws a healthy pipeline
 * as a flat zero instead of "No data", which reads like a broken panel.
 */
const zeroIfAbsent = (query: string): string => `(${query}) or vector(0)`;

/**
 * Appended to every Collector panel's description: the panels are per tier. With agents and
 * gateways a span is received, queued and sent once by its agent and again by its gateway, so a
 * line summed over tiers would count it twice; each query keeps `job` (one tier per job).
 */
export const PER_TIER =
  ' Per tier: one line per job (otel-collector; with agents and gateways also otel-agent and otel-gateway), ' +
  'never summed across tiers, because a span passes its agent and then its gateway and a sum would count it twice.';

/** All queries of this dashboard, in one place so they are easy to review and adjust. */
export const queries = {
  up: 'up{job=~"otel-collector|otel-agent|otel-gateway|prometheus|alertmanager|loki|tempo"}',
  accepted: (item: string) => collectorRate('receiver_accepted', item, 'job'),
  refused: (item: string) => zeroIfAbsent(collectorRate('receiver_refused', item, 'job')),
  sent: (item: string) => collectorRate('exporter_sent', item, 'job, exporter'),
  sendFailed: (item: string) => zeroIfAbsent(collectorRate('exporter_send_failed', item, 'job, exporter')),
  enqueueFailed: (item: string) => zeroIfAbsent(collectorRate('exporter_enqueue_failed', item, 'job, exporter')),
  queueSize: 'sum by (job, exporter) (otelcol_exporter_queue_size)',
  queueCapacity: 'sum by (job, exporter) (otelcol_exporter_queue_capacity)',
  // The largest process of each tier: that is the one its memory limit has to hold.
  collectorRss: 'max by (job) (otelcol_process_memory_rss)',
  collectorHeap: 'max by (job) (otelcol_process_runtime_heap_alloc_bytes)',
  collectorCpu: `sum by (job) (rate(otelcol_process_cpu_seconds${RATE}))`,
  // The spanmetrics connector turns spans into metrics inside the Collector: if this is flat while
  // traces are accepted, the traces -> metrics path (RED with exemplars, service graph) is broken.
  spanMetricsCalls: `sum by (service_name) (rate(traces_span_metrics_calls_total${RATE}))`,
  serviceGraphRequests: `sum by (client, server) (rate(traces_service_graph_request_total${RATE}))`,
  // Prometheus: samples appended (OTLP + scrapes), active series, OTLP push failures.
  promSamples: `sum(rate(prometheus_tsdb_head_samples_appended_total${RATE}))`,
  promSeries: 'sum(prometheus_tsdb_head_series)',
  promOtlpErrors: zeroIfAbsent(
    `sum by (code) (rate(prometheus_http_requests_total{handler="/api/v1/otlp/v1/metrics", code!~"2.."}${RATE}))`,
  ),
  promOutOfOrder: `sum(rate(prometheus_tsdb_out_of_order_samples_total${RATE}))`,
  promRuleFailures: `sum(rate(prometheus_rule_evaluation_failures_total${RATE}))`,
  // Loki: lines and bytes in, lines discarded (by reason: rate limit, too old, ...).
  lokiLines: `sum(rate(loki_distributor_lines_received_total${RATE}))`,
  lokiBytes: `sum(rate(loki_distributor_bytes_received_total${RATE}))`,
  lokiDiscarded: `sum by (reason) (rate(loki_discarded_samples_total${RATE}))`,
  lokiOtlpErrors: `sum by (status_code) (rate(loki_request_duration_seconds_count{route="otlp_v1_logs", status_code!~"2.."}${RATE}))`,
  // Tempo: spans and bytes in, spans discarded (by reason: rate limited, trace too large, ...).
  tempoSpans: `sum(rate(tempo_distributor_spans_received_total${RATE}))`,
  tempoBytes: `sum(rate(tempo_distributor_bytes_received_total${RATE}))`,
  tempoDiscarded: `sum by (reason) (rate(tempo_discarded_spans_total${RATE}))`,
  // Alertmanager: notifications sent and failed per integration (webhook to the worker).
  amNotifications: `sum by (integration) (rate(alertmanager_notifications_total${RATE}))`,
  amNotificationsFailed: `sum by (integration) (rate(alertmanager_notifications_failed_total${RATE}))`,
} as const;

/** One query per signal, legend = signal (+ the `by` label when present). */
const perSignal = (build: (item: string) => string, refSuffix = '', byLegend = ''): PromQuery[] =>
  SIGNALS.map((signal, index) => promRange(String.fromCharCode(65 + index) + refSuffix, build(signal.name), `${signal.legend}${byLegend}`));

const health = [
  stat(
    {
      title: 'Scrape targets up',
      description: 'Whether Prometheus can scrape each pipeline component. A DOWN here explains gaps in the panels below.',
    },
    { w: 24, h: 4 },
    'short',
    [promRange('A', queries.up, '{{job}}')],
    upThresholds(),
  ).mappings([
    {
      type: MappingType.ValueToText,
      options: { '0': { text: 'DOWN', color: 'red' }, '1': { text: 'UP', color: 'green' } },
    },
  ]),
];

const collector = [
  timeseries(
    {
      title: 'Accepted by receivers',
      description:
        'Items per second each Collector tier accepted (OTLP from the apps, plus postgresql/redis/hostmetrics). ' +
        'With agents and gateways, a span is accepted once by its agent and once by its gateway.' +
        PER_TIER,
    },
    { w: 8, h: 8 },
    ITEMS,
    perSignal(queries.accepted, '', ' {{job}}'),
  ),
  timeseries(
    {
      title: 'Refused by receivers',
      description:
        'Items refused, usually by the memory_limiter (the Collector is over its memory limit) or by a ' +
        'failing pipeline. The sender retries; sustained refusals mean data loss.' +
        PER_TIER,
    },
    { w: 8, h: 8 },
    ITEMS,
    perSignal(queries.refused, '', ' {{job}}'),
    alertThresholds(0.001),
  ),
  timeseries(
    { title: 'Sent by exporters', description: 'Items per second delivered, per exporter (backend).' + PER_TIER },
    { w: 8, h: 8 },
    ITEMS,
    perSignal(queries.sent, '', ' {{job}} {{exporter}}'),
  ),
  timeseries(
    {
      title: 'Export failures',
      description:
        'Items an exporter failed to send after its retries (send_failed), or could not queue because ' +
        'the queue was full (enqueue_failed). Both are data loss: check the backend named in the legend.' +
        PER_TIER,
    },
    { w: 8, h: 8 },
    ITEMS,
    [
      ...perSignal(queries.sendFailed, '', ' {{job}} {{exporter}} send'),
      ...perSignal(queries.enqueueFailed, '2', ' {{job}} {{exporter}} enqueue'),
    ],
    alertThresholds(0.001),
  ),
  timeseries(
    {
      title: 'Exporter queue size vs capacity',
      description: 'Batches waiting to be sent. Growing towards capacity: the backend is slower than the input.' + PER_TIER,
    },
    { w: 8, h: 8 },
    'short',
    [
      promRange('A', queries.queueSize, '{{job}} {{exporter}} size'),
      promRange('B', queries.queueCapacity, '{{job}} {{exporter}} capacity'),
    ],
  ),
  timeseries(
    {
      title: 'Collector memory and CPU',
      description:
        'Heap and RSS of the largest process of each Collector tier against its container limit ' +
        '(otel-collector and gateways 400 MiB, agents 250 MiB). The memory_limiter starts refusing data at ' +
        'its limit, which shows in "Refused by receivers". Per tier: the largest process of each job (memory) and ' +
        'the CPU of each job, never summed across tiers.',
    },
    { w: 8, h: 8 },
    'bytes',
    [
      promRange('A', queries.collectorRss, 'RSS {{job}}'),
      promRange('B', queries.collectorHeap, 'Go heap {{job}}'),
      promRange('C', queries.collectorCpu, 'CPU (cores) {{job}}'),
    ],
  ).overrideByQuery('C', [
    { id: 'unit', value: 'percentunit' },
    { id: 'custom.axisPlacement', value: 'right' },
  ]),
];

const derived = [
  timeseries(
    {
      title: 'Span metrics (spanmetrics connector)',
      description: 'Calls per second derived from spans, per service.' + UNDER_SAMPLING.weighted,
    },
    { w: 12, h: 7 },
    'reqps',
    [promRange('A', queries.spanMetricsCalls, '{{service_name}}')],
  ),
  timeseries(
    {
      title: 'Service graph edges (servicegraph connector)',
      description: "Requests per second between services, as Tempo's service map shows them." + UNDER_SAMPLING.unweighted,
    },
    { w: 12, h: 7 },
    'reqps',
    [promRange('A', queries.serviceGraphRequests, '{{client}} -> {{server}}')],
  ),
];

const backends = [
  timeseries(
    { title: 'Prometheus ingestion', description: 'Samples appended per second (OTLP push and scrapes); right axis: active series.' },
    { w: 8, h: 8 },
    'suffix: samples/s',
    [promRange('A', queries.promSamples, 'samples/s'), promRange('B', queries.promSeries, 'active series')],
  ).overrideByQuery('B', [
    { id: 'unit', value: 'short' },
    { id: 'custom.axisPlacement', value: 'right' },
  ]),
  timeseries(
    {
      title: 'Prometheus rejections',
      description: 'Failed OTLP pushes by HTTP code, out-of-order samples, failed rule evaluations.',
    },
    { w: 8, h: 8 },
    PER_SECOND,
    [
      promRange('A', queries.promOtlpErrors, 'OTLP push {{code}}'),
      promRange('B', queries.promOutOfOrder, 'out-of-order samples'),
      promRange('C', queries.promRuleFailures, 'rule evaluation failures'),
    ],
    alertThresholds(0.001),
  ),
  timeseries(
    { title: 'Alertmanager notifications', description: 'Notifications sent and failed per integration.' },
    { w: 8, h: 8 },
    PER_SECOND,
    [
      promRange('A', queries.amNotifications, '{{integration}} sent'),
      promRange('B', queries.amNotificationsFailed, '{{integration}} failed'),
    ],
  ),
  timeseries(
    { title: 'Loki ingestion', description: 'Log lines per second received; right axis: bytes per second.' },
    { w: 8, h: 8 },
    'suffix: lines/s',
    [promRange('A', queries.lokiLines, 'lines/s'), promRange('B', queries.lokiBytes, 'bytes/s')],
  ).overrideByQuery('B', [
    { id: 'unit', value: 'Bps' },
    { id: 'custom.axisPlacement', value: 'right' },
  ]),
  timeseries(
    {
      title: 'Loki rejections',
      description: 'Lines discarded by reason (rate_limited, greater_than_max_sample_age, ...) and failed OTLP pushes.',
    },
    { w: 8, h: 8 },
    PER_SECOND,
    [promRange('A', queries.lokiDiscarded, 'discarded {{reason}}'), promRange('B', queries.lokiOtlpErrors, 'OTLP push {{status_code}}')],
    alertThresholds(0.001),
  ),
  timeseries(
    {
      title: 'Tempo ingestion and rejections',
      description: 'Spans per second received, and spans discarded by reason (rate_limited, trace_too_large, ...).',
    },
    { w: 8, h: 8 },
    'suffix: spans/s',
    [
      promRange('A', queries.tempoSpans, 'spans/s'),
      promRange('B', queries.tempoDiscarded, 'discarded {{reason}}'),
      promRange('C', queries.tempoBytes, 'bytes/s'),
    ],
  ).overrideByQuery('C', [
    { id: 'unit', value: 'Bps' },
    { id: 'custom.axisPlacement', value: 'right' },
  ]),
];

/** Builds the Pipeline dashboard. */
export const pipelineDashboard = (): Dashboard => {
  const builder = new DashboardBuilder('otelkit / Pipeline: Collector and backends')
    .uid('otelkit-pipeline')
    .description('Telemetry pipeline health: Collector per signal, connectors, and ingestion in Prometheus, Loki and Tempo.')
    .tags(['otelkit', 'pipeline'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly()
    .link(otelkitDashboardsLink());
  for (const panel of health) builder.withPanel(panel);
  builder.withRow(new RowBuilder('OpenTelemetry Collector'));
  for (const panel of collector) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Connectors: metrics derived from traces'));
  for (const panel of derived) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Backends: Prometheus, Alertmanager, Loki, Tempo'));
  for (const panel of backends) builder.withPanel(panel);
  return builder.build();
};
