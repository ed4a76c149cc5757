import type { ObservableCallback } from '@opentelemetry/api';
import { meter } from './scope.ts';
import {
  ATTR_DB_CLIENT_CONNECTION_POOL_NAME,
  ATTR_DB_CLIENT_CONNECTION_STATE,
  DB_CLIENT_CONNECTION_STATE_VALUE_IDLE,
  DB_CLIENT_CONNECTION_STATE_VALUE_USED,
  METRIC_DB_CLIENT_CONNECTION_COUNT,
  METRIC_DB_CLIENT_CONNECTION_MAX,
  METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS,
} from './semconv.ts';

/** A pool's connections by state, and the requests waiting for one, as the driver wrapper sees them. */
export interface PoolReading {
  used: number;
  idle: number;
  pending: number;
}

/**
 * DB connection pool metrics (semconv db.client.connection.*, incubating), read at export time.
 * Returns the function that stops reporting them (a closed pool must not report zeros forever).
 */
export function registerDbPoolMetrics(poolName: string, max: number, read: () => PoolReading): () => void {
  const pool = { [ATTR_DB_CLIENT_CONNECTION_POOL_NAME]: poolName };
  const m = meter();
  const count = m.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_COUNT, {
    description: 'Open connections of the pool, by state (used: running an operation; idle: open and free).',
    unit: '{connection}',
  });
  const maxCounter = m.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_MAX, {
    description: 'Most connections the pool may open.',
    unit: '{connection}',
  });
  const pending = m.createObservableUpDownCounter(METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS, {
    description: 'Operations waiting for a connection of their own.',
    unit: '{request}',
  });
  const observeCount: ObservableCallback = (result) => {
    const reading = read();
    result.observe(reading.used, { ...pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_USED });
    result.observe(reading.idle, { ...pool, [ATTR_DB_CLIENT_CONNECTION_STATE]: DB_CLIENT_CONNECTION_STATE_VALUE_IDLE });
  };
  const observeMax: ObservableCallback = (result) => result.observe(max, pool);
  const observePending: ObservableCallback = (result) => result.observe(read().pending, pool);
  count.addCallback(observeCount);
  maxCounter.addCallback(observeMax);
  pending.addCallback(observePending);
  return () => {
    count.removeCallback(observeCount);
    maxCounter.removeCallback(observeMax);
    pending.removeCallback(observePending);
  };
}
