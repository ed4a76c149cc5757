import { z } from 'zod';
import { parseConfig } from './parse-config.ts';
import { applyProfileDefaults, PROFILES, REQUEST_LOG_MODES } from './profile.ts';
import { adminToken, bool, logLevel, nonNegativeInt, port, positiveInt, profilingServerUrl, ratio, url } from './fields.ts';

const common = {
  LOG_LEVEL: logLevel,
  HOST: z.string().min(1).default('0.0.0.0'),
  SHUTDOWN_TIMEOUT_MS: positiveInt(10_000),
  BODY_LIMIT_BYTES: positiveInt(64 * 1024),
  // Continuous profiling (docs/profiling.md): off unless switched on; compose switches it on.
  PROFILING_ENABLED: bool(false),
  PROFILING_SERVER_URL: profilingServerUrl('http://pyroscope:4040'),
  PROFILING_FLUSH_INTERVAL_MS: z.coerce.number().int().min(1_000).max(60_000).default(10_000),
  // The deployment profile (src/config/profile.ts): it gives REQUEST_LOG and the OTel sampler their
  // defaults. `request_completed` for every request (all) or only for 5xx and slow ones; every
  // request is in http.server.request.duration either way.
  OTELKIT_PROFILE: z.preprocess((v) => (v === '' ? undefined : v), z.enum(PROFILES).default('demo')),
  REQUEST_LOG: z.enum(REQUEST_LOG_MODES).default('all'),
  REQUEST_LOG_SLOW_MS: nonNegativeInt(500),
};

const backends = {
  DATABASE_URL: url('postgres://otelkit:otelkit@postgres:5432/otelkit'),
  DATABASE_POOL_MAX: positiveInt(10),
  SLOW_QUERY_MS: nonNegativeInt(200),
  REDIS_URL: url('redis://redis:6379'),
  STARTUP_RETRIES: positiveInt(15),
  STARTUP_RETRY_DELAY_MS: positiveInt(1_000),
  DEPENDENCY_TIMEOUT_MS: positiveInt(1_000),
};

// POST /admin/profile?type=heap dumps every secret in memory: off unless switched on explicitly,
// on top of the admin token (docs/security.md).
const heapSnapshotEnabled = bool(false);

const apiSchema = z.object({
  ...common,
  ...backends,
  PORT: port(8080),
  PAYMENTS_URL: url('http://payments:8081'),
  PAYMENTS_TIMEOUT_MS: positiveInt(3_000),
  ADMIN_TOKEN: adminToken,
  HEAP_SNAPSHOT_ENABLED: heapSnapshotEnabled,
  MIGRATE_ON_START: bool(true),
  SESSION_TTL_SECONDS: positiveInt(3_600),
  CACHE_TTL_SECONDS: positiveInt(60),
  // 100 req/s per tenant: above what the demo load and its traffic spike send, far below what one
  // api process serves, so a runaway tenant is throttled before it starves the others.
  RATE_LIMIT_PER_MINUTE: positiveInt(6_000),
  // Login attempts per minute (docs/security.md). Per account: enough for a person who mistypes,
  // few enough that guessing one password is slow. Per client address: above the demo load's
  // logins (about 2/s from one loadgen host), below a credential-spraying rate.
  LOGIN_RATE_LIMIT_PER_ACCOUNT: positiveInt(10),
  LOGIN_RATE_LIMIT_PER_CLIENT: positiveInt(600),
  // scrypt derivations at once (16 MiB and one of libuv's 4 threads each); more callers wait.
  SCRYPT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
});

const paymentsSchema = z.object({
  ...common,
  PORT: port(8081),
  ADMIN_TOKEN: adminToken,
  HEAP_SNAPSHOT_ENABLED: heapSnapshotEnabled,
  PAYMENTS_LATENCY_MS: nonNegativeInt(40),
  PAYMENTS_FAILURE_RATE: ratio(0),
  PAYMENTS_DECLINE_RATE: ratio(0.02),
});

const workerSchema = z.object({
  ...common,
  ...backends,
  PORT: port(8082),
  WORKER_BLOCK_MS: positiveInt(2_000),
  WORKER_BATCH_SIZE: positiveInt(20),
  // A failed confirmation is retried after this idle time, and dead-lettered after this many deliveries.
  WORKER_RECLAIM_IDLE_MS: positiveInt(30_000),
  WORKER_MAX_DELIVERIES: positiveInt(5),
  // An order still pending this long was abandoned by a checkout whose process died: the worker fails
  // it and releases its stock. Far above the api's PAYMENTS_TIMEOUT_MS, so no live checkout is cut.
  WORKER_ORDER_PENDING_TIMEOUT_MS: positiveInt(300_000),
  WORKER_STALE_ORDER_SWEEP_MS: positiveInt(60_000),
});

/** A copy of `env` with the profile's defaults where unset or empty (the caller's env is not changed). */
const withProfile = (env: NodeJS.ProcessEnv): NodeJS.ProcessEnv => applyProfileDefaults({ ...env });

export type ApiConfig = z.infer<typeof apiSchema>;
export type PaymentsConfig = z.infer<typeof paymentsSchema>;
export type WorkerConfig = z.infer<typeof workerSchema>;

/** Settings of the api service; throws a ConfigError naming every bad variable. */
export const loadApiConfig = (env: NodeJS.ProcessEnv = process.env): ApiConfig => parseConfig(apiSchema, withProfile(env));

/** Settings of the payments service. */
export const loadPaymentsConfig = (env: NodeJS.ProcessEnv = process.env): PaymentsConfig => parseConfig(paymentsSchema, withProfile(env));

/** Settings of the worker service. */
export const loadWorkerConfig = (env: NodeJS.ProcessEnv = process.env): WorkerConfig => parseConfig(workerSchema, withProfile(env));

const migrateSchema = z.object({ DATABASE_URL: backends.DATABASE_URL });

/** Settings of `npm run migrate`. */
export const loadMigrateConfig = (env: NodeJS.ProcessEnv = process.env) => parseConfig(migrateSchema, env);
