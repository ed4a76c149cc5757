/**
 * Resource dashboard (uid otelkit-resource): is a service slow because it is starved? Process and
 * Node.js runtime metrics of our services, their database pool, and the Postgres, Redis and host
 * metrics that the Collector's postgresql, redis and hostmetrics receivers collect.
 */
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { DashboardBuilder, RowBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { DB_POOL_USAGE_ALERT, alertThresholds } from './thresholds.ts';
import { serviceVariable } from './variables.ts';
import { otelkitDashboardsLink } from './links.ts';
import { gauge, promInstant, promRange, stat, timeseries } from './panels.ts';

/** Series of the selected otelkit services (runtime and pool metrics come from the SDKs). */
const APP = 'service_namespace="otelkit", service_name=~"$service"';
const RATE = '[$__rate_interval]';

/** All queries of this dashboard, in one place so they are easy to review and adjust. */
export const queries = {
  // Process and runtime (SDK: host/process detectors, @opentelemetry/instrumentation-runtime-node)
  processCpu: `sum by (service_name) (rate(process_cpu_time_seconds_total{${APP}}${RATE}))`,
  processMemory: `sum by (service_name) (process_memory_usage_bytes{${APP}})`,
  eventLoopDelayP99: `max by (service_name) (nodejs_eventloop_delay_p99_seconds{${APP}})`,
  eventLoopDelayP50: `max by (service_name) (nodejs_eventloop_delay_p50_seconds{${APP}})`,
  eventLoopUtilization: `max by (service_name) (nodejs_eventloop_utilization_ratio{${APP}})`,
  heapUsed: `sum by (service_name) (v8js_memory_heap_used_bytes{${APP}})`,
  // The runtime instrumentation reports each heap space's size (what V8 has reserved), not the limit.
  heapSize: `sum by (service_name) (v8js_memory_heap_space_size_bytes{${APP}})`,
  gcTimeShare: `sum by (service_name, v8js_gc_type) (rate(v8js_gc_duration_seconds_sum{${APP}}${RATE}))`,
  // Database connection pool (our postgres.js wrapper, db.client.connection.* semconv)
  // The fullest pool, computed per service and pool like the DatabaseConnectionsSaturated alert
  // (prometheus/rules/alerts-dependencies.yml): a sum over pools would hide one saturated pool.
  dbPoolUsage:
    `max(sum by (service_name, db_client_connection_pool_name) (db_client_connection_count{${APP}, db_client_connection_state="used"})` +
    ` / sum by (service_name, db_client_connection_pool_name) (db_client_connection_max{${APP}} > 0))`,
  dbPoolUsed: `sum(db_client_connection_count{${APP}, db_client_connection_state="used"})`,
  dbPoolMax: `sum(db_client_connection_max{${APP}})`,
  dbPoolByState: `sum by (service_name, db_client_connection_state) (db_client_connection_count{${APP}})`,
  dbPoolMaxByService: `sum by (service_name) (db_client_connection_max{${APP}})`,
  dbPoolPending: `sum by (service_name) (db_client_connection_pending_requests{${APP}})`,
  // Postgres server (Collector postgresql receiver)
  pgBackends: 'sum(postgresql_backends)',
  pgMaxConnections: 'max(postgresql_connection_max)',
  pgCommits: `sum(rate(postgresql_commits_total${RATE}))`,
  pgRollbacks: `sum(rate(postgresql_rollbacks_total${RATE}))`,
  // Redis (Collector redis receiver)
  redisClients: 'sum(redis_clients_connected)',
  redisMemory: 'sum(redis_memory_used_bytes)',
  redisOps: `sum(rate(redis_commands_processed_total${RATE}))`,
  redisHitRatio:
    `sum(rate(redis_keyspace_hits_total${RATE}))` +
    ` / (sum(rate(redis_keyspace_hits_total${RATE})) + sum(rate(redis_keyspace_misses_total${RATE})))`,
  // Host (Collector hostmetrics receiver, root_path /hostfs)
  hostCpuBusy: `1 - sum(rate(system_cpu_time_seconds_total{state="idle"}${RATE}))` + ` / sum(rate(system_cpu_time_seconds_total${RATE}))`,
  hostCpuByState:
    `sum by (state) (rate(system_cpu_time_seconds_total{state!="idle"}${RATE}))` +
    ` / scalar(sum(rate(system_cpu_time_seconds_total${RATE})))`,
  // *_utilization metrics are enabled in collector/config.yaml (off by default in hostmetrics).
  hostMemoryUsed: 'sum(system_memory_utilization_ratio{state="used"})',
  hostMemoryByState: 'sum by (state) (system_memory_usage_bytes)',
  // Virtual and container filesystems are excluded by the receiver configuration.
  hostDiskUsed: 'max by (mountpoint) (system_filesystem_utilization_ratio)',
  hostDiskIo: `sum by (direction) (rate(system_disk_io_bytes_total${RATE}))`,
  hostNetworkIo: `sum by (direction) (rate(system_network_io_bytes_total{device!="lo"}${RATE}))`,
} as const;

const runtime = [
  timeseries({ title: 'CPU per service', description: 'CPU seconds per second: 100% is one full core.' }, { w: 8, h: 8 }, 'percentunit', [
    promRange('A', queries.processCpu, '{{service_name}}'),
  ]),
  timeseries(
    { title: 'Memory (RSS) per service', description: 'Resident set size; compare with the container mem_limit.' },
    { w: 8, h: 8 },
    'bytes',
    [promRange('A', queries.processMemory, '{{service_name}}')],
  ),
  timeseries(
    {
      title: 'Event loop delay',
      description:
        'How late timers fire. A blocked event loop delays every request of the process, which ' +
        'shows as latency on all routes at once.',
    },
    { w: 8, h: 8 },
    's',
    [promRange('A', queries.eventLoopDelayP99, '{{service_name}} p99'), promRange('B', queries.eventLoopDelayP50, '{{service_name}} p50')],
  ),
  timeseries(
    {
      title: 'Event loop utilization',
      description: 'Share of time the loop is busy. Near 100% the process cannot take more work, whatever the CPU shows.',
    },
    { w: 8, h: 8 },
    'percentunit',
    [promRange('A', queries.eventLoopUtilization, '{{service_name}}')],
  ),
  timeseries(
    {
      title: 'V8 heap used vs heap size',
      description: 'Used against reserved heap: a used heap that keeps climbing ends in long GC pauses, then a crash.',
    },
    { w: 8, h: 8 },
    'bytes',
    [promRange('A', queries.heapUsed, '{{service_name}} used'), promRange('B', queries.heapSize, '{{service_name}} heap size')],
  ),
  timeseries({ title: 'Time in garbage collection', description: 'Seconds of GC per second, by GC type.' }, { w: 8, h: 8 }, 'percentunit', [
    promRange('A', queries.gcTimeShare, '{{service_name}} {{v8js_gc_type}}'),
  ]),
];

const poolThresholds = alertThresholds(DB_POOL_USAGE_ALERT, 0.75);

const databasePool = [
  gauge(
    {
      title: 'DB pool in use (fullest pool)',
      description: `Connections in use / pool maximum of the fullest pool. Red at ${DB_POOL_USAGE_ALERT * 100}%, the DatabaseConnectionsSaturated threshold: requests are about to queue for a connection.`,
    },
    { w: 6, h: 7 },
    'percentunit',
    { min: 0, max: 1 },
    [promInstant('A', queries.dbPoolUsage, 'in use')],
    poolThresholds,
  ),
  stat(
    { title: 'Database connections', description: 'In use / maximum of the application pools (the seed\'s "18/20").' },
    { w: 6, h: 7 },
    'short',
    [promRange('A', queries.dbPoolUsed, 'in use'), promRange('B', queries.dbPoolMax, 'max')],
  ),
  timeseries(
    { title: 'Pool connections by state', description: 'used / idle per service, with the pool maximum.' },
    { w: 6, h: 7 },
    'short',
    [
      promRange('A', queries.dbPoolByState, '{{service_name}} {{db_client_connection_state}}'),
      promRange('B', queries.dbPoolMaxByService, '{{service_name}} max'),
    ],
  ),
  timeseries(
    { title: 'Requests waiting for a connection', description: 'Non-zero means the pool is the bottleneck.' },
    { w: 6, h: 7 },
    'short',
    [promRange('A', queries.dbPoolPending, '{{service_name}}')],
  ),
];

const datastores = [
  timeseries(
    {
      title: 'Postgres backends vs max_connections',
      description: 'Server side: every backend process (all clients, all states) against the server limit.',
    },
    { w: 12, h: 8 },
    'short',
    [promRange('A', queries.pgBackends, 'backends'), promRange('B', queries.pgMaxConnections, 'max_connections')],
  ),
  timeseries(
    { title: 'Postgres transactions', description: 'Commits and rollbacks per second; rollbacks are failed or aborted work.' },
    { w: 12, h: 8 },
    'ops',
    [promRange('A', queries.pgCommits, 'commits'), promRange('B', queries.pgRollbacks, 'rollbacks')],
  ),
  stat({ title: 'Redis clients', description: 'Connected clients (app connections plus the Collector).' }, { w: 6, h: 4 }, 'short', [
    promRange('A', queries.redisClients, 'clients'),
  ]),
  stat(
    { title: 'Redis memory', description: 'Used memory; Redis refuses writes at maxmemory (96 MB in compose).' },
    { w: 6, h: 4 },
    'bytes',
    [promRange('A', queries.redisMemory, 'used')],
  ),
  stat({ title: 'Redis ops/s', description: 'Commands processed per second.' }, { w: 6, h: 4 }, 'ops', [
    promRange('A', queries.redisOps, 'ops/s'),
  ]),
  stat(
    { title: 'Redis hit ratio', description: 'Keyspace hits / lookups: the cache is worth it when this stays high.' },
    { w: 6, h: 4 },
    'percentunit',
    [promRange('A', queries.redisHitRatio, 'hit ratio')],
  ),
];

const host = [
  timeseries(
    { title: 'Host CPU by state', description: 'Share of all cores, idle excluded (the Docker host, or the Docker Desktop VM).' },
    { w: 6, h: 8 },
    'percentunit',
    [promRange('A', queries.hostCpuByState, '{{state}}')],
  ),
  timeseries({ title: 'Host memory', description: 'Bytes by state (used, cached, buffered, free ...).' }, { w: 6, h: 8 }, 'bytes', [
    promRange('A', queries.hostMemoryByState, '{{state}}'),
  ]),
  timeseries(
    { title: 'Disk I/O and space used', description: 'Bytes read/written per second; right axis: space used per mount.' },
    { w: 6, h: 8 },
    'Bps',
    [promRange('A', queries.hostDiskIo, '{{direction}}'), promRange('B', queries.hostDiskUsed, 'used {{mountpoint}}')],
  ).overrideByQuery('B', [
    { id: 'unit', value: 'percentunit' },
    { id: 'custom.axisPlacement', value: 'right' },
  ]),
  timeseries({ title: 'Network I/O', description: 'Bytes per second, all interfaces except loopback.' }, { w: 6, h: 8 }, 'Bps', [
    promRange('A', queries.hostNetworkIo, '{{direction}}'),
  ]),
];

const hostSummary = [
  stat(
    { title: 'Host CPU busy', description: 'All cores, non-idle share.' },
    { w: 12, h: 4 },
    'percentunit',
    [promRange('A', queries.hostCpuBusy, 'busy')],
    alertThresholds(0.9, 0.8),
  ),
  stat(
    { title: 'Host memory used', description: 'Used / total.' },
    { w: 12, h: 4 },
    'percentunit',
    [promRange('A', queries.hostMemoryUsed, 'used')],
    alertThresholds(0.95, 0.85),
  ),
];

/** Builds the Resource dashboard. */
export const resourceDashboard = (): Dashboard => {
  const builder = new DashboardBuilder('otelkit / Resources: runtime, database, host')
    .uid('otelkit-resource')
    .description('Process, Node.js runtime, DB pool, Postgres, Redis and host saturation.')
    .tags(['otelkit', 'resources'])
    .time({ from: 'now-1h', to: 'now' })
    .refresh('30s')
    .readonly()
    .withVariable(serviceVariable('process_cpu_time_seconds_total'))
    .link(otelkitDashboardsLink());
  builder.withRow(new RowBuilder('Node.js services'));
  for (const panel of runtime) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Database connection pool'));
  for (const panel of databasePool) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Postgres and Redis (Collector receivers)'));
  for (const panel of datastores) builder.withPanel(panel);
  builder.withRow(new RowBuilder('Host (Collector hostmetrics)'));
  for (const panel of hostSummary) builder.withPanel(panel);
  for (const panel of host) builder.withPanel(panel);
  return builder.build();
};
