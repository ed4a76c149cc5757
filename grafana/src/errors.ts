/**
 * Errors dashboard (uid otelkit-errors): the exceptions the services throw, grouped by service,
 * type, route and fingerprint, with how many, since when, the newest message, and the way to a
 * sample trace and its logs. docs/errors.md explains how to use it.
 *
 * Sources, all from what the services already emit:
 * - counts, first/last seen, new types: traces_span_metrics_events_total, which the Collector's
 *   span_metrics connector counts from the `exception` events of spans (collector/config.yaml,
 *   `events`), labelled with the event's exception.type and exception.fingerprint
 *   (src/telemetry/exceptions.ts) and the span's service, kind and http.route. Only SERVER and
 *   CONSUMER spans are counted: the exception that failed a request or a message, once (the same
 *   exception is also recorded on each inner span it crossed). Its exemplars link to traces.
 * - newest message and crashes: the error log records in Loki, whose exception.type /
 *   exception.message / exception.fingerprint attributes are structured metadata there
 *   (exception_type, exception_message, exception_fingerprint).
 * - sample traces: TraceQL on the span events in Tempo (event.exception.*).
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { LOKI } from './datasources.ts';
import { dataLink, exploreLink, lokiLogsUrl, otelkitDashboardsLink, tempoSearchUrl } from './links.ts';
import { logs, lokiTimeseries, promInstantTable, promRange, promTable, stat, timeseries, traceTable } from './panels.ts';
import { alertThresholds, NEW_EXCEPTION_RATE_ALERT, UNDER_SAMPLING } from './thresholds.ts';
import { exceptionServiceVariable } from './variables.ts';

/** The span_metrics event counter (Prometheus name of traces.span.metrics.events). */
export const EXCEPTIONS = 'traces_span_metrics_events_total';
/** Exception events that ended a request (SERVER span) or a message (CONSUMER span), of the selected services. */
const SEL = 'service_name=~"$service", exception_type!="", span_kind=~"SPAN_KIND_SERVER|SPAN_KIND_CONSUMER"';
const GROUP = 'service_name, exception_type, http_route, exception_fingerprint';
const TYPE = 'service_name, exception_type';
/** Loki: error records that carry an exception (crashes included, which have no span). */
const LOKI_EXCEPTIONS = '{service_namespace="otelkit", service_name=~"$service"} | exception_type!=""';

/** The time of the first sample of each group's series within `range` (seconds). */
const firstSeen = (by: string, range: string) => `min by (${by}) (min_over_time(timestamp(${EXCEPTIONS}{${SEL}})[${range}:15s]))`;

/** Types (per service) that exist now and did not an hour ago. */
const newTypes = (value: string) => `${value} unless on (${TYPE}) count by (${TYPE}) (${EXCEPTIONS}{${SEL}} offset 1h)`;

/** All queries of this dashboard, in one place so they are easy to review and adjust. */
export const queries = {
  rate: `sum(rate(${EXCEPTIONS}{${SEL}}[$__rate_interval]))`,
  typesSeen: `count(count by (${TYPE}) (increase(${EXCEPTIONS}{${SEL}}[$__range]) > 0))`,
  newTypesCount: `count(${newTypes(`count by (${TYPE}) (${EXCEPTIONS}{${SEL}})`)})`,
  rateByType: `sum by (${TYPE}) (rate(${EXCEPTIONS}{${SEL}}[$__rate_interval]))`,
  // The table: one row per service, type, route and fingerprint.
  countByGroup: `sum by (${GROUP}) (increase(${EXCEPTIONS}{${SEL}}[$__range]))`,
  // The connector creates a series at its first exception: its first sample is "first seen" (within
  // the time range; a series older than the range shows the range's start). Milliseconds for Grafana.
  // Steps of 15 s, the connector's flush interval: as precise as the data.
  firstSeenByGroup: `${firstSeen(GROUP, '$__range')} * 1000`,
  // The last 15 s step whose minute before saw the count grow; a series that never grew after its
  // first point (a one-off) was last seen when it was first seen.
  lastSeenByGroup:
    `(max by (${GROUP}) (max_over_time(timestamp(increase(${EXCEPTIONS}{${SEL}}[1m]) > 0)[$__range:15s]))` +
    ` or ${firstSeen(GROUP, '$__range')}) * 1000`,
  // New in the last hour: first seen (within the hour) of types that had no series an hour ago.
  newTypesFirstSeen: newTypes(`${firstSeen(TYPE, '1h')} * 1000`),
  newTypesRate: newTypes(`sum by (${TYPE}) (rate(${EXCEPTIONS}{${SEL}}[5m]))`),
  // Loki: the newest message of each type and when it was logged (seconds → ms).
  newestMessage:
    `topk by (${TYPE}) (1, max_over_time(${LOKI_EXCEPTIONS} | label_format seen=\`{{ __timestamp__ | unixEpoch }}\`` +
    ` | unwrap seen | __error__="" [$__range]) by (${TYPE}, exception_message)) * 1000`,
  logsByType: `sum by (${TYPE}) (count_over_time(${LOKI_EXCEPTIONS} [$__auto]))`,
  exceptionLogs: `${LOKI_EXCEPTIONS} | line_format "{{.exception_type}}: {{.exception_message}}"`,
  exceptionTraces:
    '{resource.service.namespace="otelkit" && resource.service.name=~"$service" && event:name="exception" && (kind=server || kind=consumer)}',
} as const;

/** Links from a row with service, type and fingerprint columns to sample traces and their logs. */
const exceptionLinks = (service: string, type: string, fingerprint: string) => [
  dataLink(
    'Sample traces of this exception (Tempo)',
    tempoSearchUrl(`{resource.service.name="${service}" && event.exception.fingerprint="${fingerprint}"}`),
  ),
  dataLink(
    'Logs of this exception (Loki)',
    lokiLogsUrl(`{service_namespace="otelkit", service_name="${service}"} | exception_fingerprint="${fingerprint}"`),
  ),
  dataLink(
    'All traces with this exception type (Tempo)',
    tempoSearchUrl(`{resource.service.name="${service}" && event.exception.type="${type}"}`),
  ),
];

const overview = [
  stat(
    {
      title: 'Exceptions per second',
      description:
        'Exceptions that failed a request (server span) or a message (consumer span), all selected services.' + UNDER_SAMPLING.weighted,
    },
    { w: 8, h: 5 },
    'short',
    [promRange('A', queries.rate, 'exceptions/s')],
  ),
  stat(
    {
      title: 'Exception types seen',
      description: 'Distinct (service, exception type) pairs with at least one exception in the time range.',
    },
    { w: 8, h: 5 },
    'short',
    [promRange('A', queries.typesSeen, 'types')],
  ),
  stat(
    {
      title: 'New exception types (last hour)',
      description:
        'Types that appeared within the last hour and did not exist an hour ago (table below). ' +
        `In the api at more than ${NEW_EXCEPTION_RATE_ALERT}/s for 5 minutes, one fires the NewExceptionType alert.`,
    },
    { w: 8, h: 5 },
    'short',
    [promRange('A', queries.newTypesCount, 'new types')],
    alertThresholds(1),
  ).noValue('0'),
];

const overTime = [
  timeseries(
    {
      title: 'Exceptions per second by service and type (dots: exemplars)',
      description:
        'From the exception events of server and consumer spans. The dots are exemplars: hover one and ' +
        'choose "View trace" to open a request that threw it. Dashed line: the NewExceptionType rate threshold.' +
        UNDER_SAMPLING.weighted,
    },
    { w: 16, h: 9 },
    'short',
    [promRange('A', queries.rateByType, '{{service_name}} {{exception_type}}').exemplar(true)],
    alertThresholds(NEW_EXCEPTION_RATE_ALERT),
  ),
  lokiTimeseries(
    {
      title: 'Error logs with an exception, by type',
      description:
        'Log records carrying exception.type (Loki). Includes what no span records: crashes ' +
        '(uncaught_exception) and errors logged outside a request.',
    },
    { w: 8, h: 9 },
    queries.logsByType,
    '{{service_name}} {{exception_type}}',
  ),
];

const groupsTable = promTable(
  {
    title: 'Exceptions by service, type and route',
    description:
      'One row per service, exception type, route and fingerprint (the same type thrown from the same ' +
      'place): count in the time range, first and last seen. Click a row for sample traces and the logs of that exception.' +
      UNDER_SAMPLING.weighted,
  },
  { w: 24, h: 10 },
  [
    promInstantTable('A', queries.countByGroup),
    promInstantTable('B', queries.firstSeenByGroup),
    promInstantTable('C', queries.lastSeenByGroup),
  ],
)
  .transformations([
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: {
          service_name: 'service',
          exception_type: 'type',
          http_route: 'route',
          exception_fingerprint: 'fingerprint',
          'Value #A': 'count',
          'Value #B': 'first seen',
          'Value #C': 'last seen',
        },
      },
    },
    { id: 'sortBy', options: { sort: [{ field: 'count', desc: true }] } },
  ])
  .overrideByName('count', [
    { id: 'unit', value: 'short' },
    { id: 'decimals', value: 0 },
  ])
  .overrideByName('first seen', [{ id: 'unit', value: 'dateTimeAsIso' }])
  .overrideByName('last seen', [{ id: 'unit', value: 'dateTimeFromNow' }])
  .dataLinks(exceptionLinks('${__data.fields.service}', '${__data.fields.type}', '${__data.fields.fingerprint}'));

const newTypesTable = promTable(
  {
    title: 'New exception types (last hour)',
    description:
      'Types with no series an hour ago: first seen and the current rate. A new type right after a ' +
      'release is the first place to look for what the release broke.',
  },
  { w: 12, h: 8 },
  [promInstantTable('A', queries.newTypesFirstSeen), promInstantTable('B', queries.newTypesRate)],
)
  .transformations([
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: { service_name: 'service', exception_type: 'type', 'Value #A': 'first seen', 'Value #B': 'per second (5m)' },
      },
    },
    { id: 'sortBy', options: { sort: [{ field: 'first seen', desc: true }] } },
  ])
  .overrideByName('first seen', [{ id: 'unit', value: 'dateTimeAsIso' }])
  .overrideByName('per second (5m)', [{ id: 'unit', value: 'short' }])
  .dataLinks([
    dataLink(
      'Traces with this exception type (Tempo)',
      tempoSearchUrl('{resource.service.name="${__data.fields.service}" && event.exception.type="${__data.fields.type}"}'),
    ),
    dataLink(
      'Logs of this exception type (Loki)',
      lokiLogsUrl('{service_namespace="otelkit", service_name="${__data.fields.service}"} | exception_type="${__data.fields.type}"'),
    ),
  ]);

const newestMessageTable = new TablePanel()
  .title('Newest message per exception type')
  .description(
    'From the error logs (Loki): for each service and type, the message of its newest record and when it ' +
      'was logged. Messages carry the values (ids, limits) the type leaves out.',
  )
  .datasource(LOKI)
  .span(12)
  .height(8)
  .targets([new LokiQuery().refId('A').datasource(LOKI).expr(queries.newestMessage).instant(true).range(false).queryType('instant')])
  .transformations([
    { id: 'labelsToFields', options: {} },
    { id: 'merge', options: {} },
    {
      id: 'organize',
      options: {
        excludeByName: { Time: true },
        renameByName: { service_name: 'service', exception_type: 'type', exception_message: 'newest message', Value: 'logged' },
      },
    },
    { id: 'sortBy', options: { sort: [{ field: 'logged', desc: true }] } },
  ])
  .overrideByName('logged', [{ id: 'unit', value: 'dateTimeAsIso' }])
  .dataLinks([
    dataLink(
      'Logs of this exception type (Loki)',
      lokiLogsUrl('{service_namespace="otelkit", service_name="${__data.fields.service}"} | exception_type="${__data.fields.type}"'),
    ),
  ]);

const evidence = [
  traceTable(
    {
      title: 'Traces with an exception',
      description:
        'Requests and messages whose server or consumer span recorded an exception. Click a trace id to ' +
        'open it; "Logs of this trace" lists every log line of it (Loki, by trace_id).',
    },
    { w: 12, h: 9 },
    queries.exceptionTraces,
  ).dataLinks([dataLink('Logs of this trace (Loki)', lokiLogsUrl('{service_namespace="otelkit"} | trace_id="${__data.fields.traceID}"'))]),
  logs(
    {
      title: 'Newest exceptions (logs)',
      description: 'Error records with an exception, newest first, shown as "type: message". Expand one: trace_id links to its trace.',
    },
    { w: 12, h: 9 },
    queries.exceptionLogs,
  ),
];

/** Builds the Errors dashboard. */
export const errorsDashboard = (): Dashboard => {
  const builder = new DashboardBuilder('otelkit / Errors: exceptions by service, type and route')
    .uid('otelkit-errors')
    .description('Exceptions grouped by service, type, route and fingerprint; new types; newest messages; sample traces and their logs.')
    .tags(['otelkit', 'errors'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(exceptionServiceVariable(EXCEPTIONS))
    .link(otelkitDashboardsLink())
    .link(
      exploreLink(
        'Exception traces',
        tempoSearchUrl(queries.exceptionTraces.replace('$service', '${service:regex}')),
        'TraceQL search in Tempo: server and consumer spans with an exception event, selected services',
      ),
    )
    .link(
      exploreLink(
        'Exception logs',
        lokiLogsUrl(LOKI_EXCEPTIONS.replace('$service', '${service:regex}')),
        'Loki: error records carrying an exception, selected services',
      ),
    );
  for (const panel of overview) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Over time'));
  for (const panel of overTime) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Groups'));
  builder.withPanel(groupsTable);
  builder.withPanel(newTypesTable);
  builder.withPanel(newestMessageTable);
  builder.withRow(new RowBuilder('Evidence: traces and logs'));
  for (const panel of evidence) builder.withPanel(panel);
  return builder.build();
};
