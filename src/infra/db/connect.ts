import postgres from 'postgres';
import type { Logger } from '../logger.ts';
import { reconnectBackoffSeconds } from './connection-errors.ts';
import { InstrumentedDb } from './instrumented-db.ts';
import { PoolState } from './pool-state.ts';

export interface DbSettings {
  url: string;
  poolMax: number;
  slowQueryMs: number;
  /** db.client.connection.pool.name: unique per pool in a process (the tests run two in one). */
  poolName: string;
}

/**
 * Opens the pool (lazily: postgres.js connects on first use) wrapped with telemetry. Connection
 * errors surface as rejected queries, which readiness and the error handler report; nothing crashes.
 */
export function connectDb(settings: DbSettings, logger: Logger): InstrumentedDb {
  const parsed = new URL(settings.url);
  const pool = new PoolState(settings.poolMax);
  // `socket` is a documented postgres.js option missing from its typings: passed by spread.
  const counted = { socket: pool.socket };
  const sql = postgres(settings.url, {
    max: settings.poolMax,
    idle_timeout: 30,
    connect_timeout: 5,
    backoff: reconnectBackoffSeconds,
    onnotice: () => {},
    connection: { application_name: 'otelkit' },
    ...counted,
  });
  return new InstrumentedDb(sql, {
    database: decodeURIComponent(parsed.pathname.slice(1)) || 'postgres',
    poolName: settings.poolName,
    host: parsed.hostname,
    port: Number(parsed.port || 5432),
    poolMax: settings.poolMax,
    slowQueryMs: settings.slowQueryMs,
    logger,
    pool,
  });
}
