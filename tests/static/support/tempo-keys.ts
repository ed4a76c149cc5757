/**
 * Documented configuration keys of Tempo 3.0, for tests/static/backend-config-keys.test.ts: every
 * top-level block, the second-level keys of the blocks tempo/tempo.yaml uses, and the 2.x blocks 3.0
 * removed. Sources: https://grafana.com/docs/tempo/v3.0.x/configuration/ and /configuration/manifest/,
 * https://grafana.com/docs/tempo/v3.0.x/set-up-for-tracing/setup-tempo/migrate-to-3/.
 * Update together with TEMPO_VERSION.
 */
import type { AllowedKeys } from './loki-keys.ts';
import { DSKIT_SERVER } from './loki-keys.ts';

/** Tempo 3.0 top-level blocks and the second-level keys of the blocks tempo.yaml uses. */
export const TEMPO_KEYS: AllowedKeys = {
  target: 'any',
  http_api_prefix: 'any',
  multitenancy_enabled: 'any',
  stream_over_http_enabled: 'any',
  autocomplete_filtering_enabled: 'any',
  memory: 'any',
  internal_server: 'any',
  querier: 'any',
  metrics_generator: 'any',
  ingest: 'any',
  block_builder: 'any',
  live_store: 'any',
  live_store_client: 'any',
  backend_scheduler_client: 'any',
  overrides: 'any',
  memberlist: 'any',
  cache: 'any',
  span_profiling: 'any',
  server: DSKIT_SERVER,
  distributor: [
    'receivers',
    'ring',
    'forwarders',
    'log_received_spans',
    'log_discarded_spans',
    'metric_received_spans',
    'usage',
    'max_attribute_bytes',
    'retry_after_on_resource_exhausted',
    'override_ring_key',
    'extend_writes',
  ],
  query_frontend: [
    'max_outstanding_per_tenant',
    'max_batch_size',
    'max_retries',
    'log_query_request_headers',
    'search',
    'trace_by_id',
    'metrics',
    'multi_tenant_queries_enabled',
    'response_consumers',
    'weights',
    'mcp_server',
    'api_timeout',
    'url_deny_list',
    'max_grpc_streaming_packet_size',
    'max_query_expression_size_bytes',
    'allowed_headers',
    'query_end_cutoff',
    'skip_ast_transformations',
  ],
  storage: ['trace'],
  backend_scheduler: [
    'provider',
    'local_work_path',
    'maintenance_interval',
    'backend_flush_interval',
    'job_timeout',
    'tenant_measurement_interval',
    'work',
  ],
  backend_worker: [
    'compaction',
    'backend_scheduler_addr',
    'ring',
    'poll',
    'finish_on_shutdown_timeout',
    'backoff',
    'override_ring_key',
    'job_timeout',
  ],
  usage_report: ['reporting_enabled', 'backoff'],
};

/** 2.x blocks that Tempo 3.0 removed: it refuses to start when they are present. */
export const TEMPO_REMOVED_IN_3 = ['ingester', 'ingester_client', 'compactor', 'metrics_generator_client'];
