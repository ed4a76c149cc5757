import { metrics } from '@opentelemetry/api';
import { ATTR_DB_CONNECTION_STATE, ATTR_DB_POOL_NAME } from './attributes.ts';

/**
 * DB connection pool metrics (semconv db.client.connection.*, still incubating). postgres.js exposes
 * no pool statistics, so they are derived from the operations in flight: each statement or
 * transaction holds one connection, and what exceeds the pool size is waiting for one.
 */
export function registerDbPoolMetrics(poolName: string, max: number, inFlight: () => number): void {
  const meter = metrics.getMeter('otelkit', '0.1.0');
  const pool = { [ATTR_DB_POOL_NAME]: poolName };
  meter
    .createObservableUpDownCounter('db.client.connection.count', {
      description: 'Connections in use (derived from operations in flight).',
      unit: '{connection}',
    })
    .addCallback((result) => result.observe(Math.min(inFlight(), max), { ...pool, [ATTR_DB_CONNECTION_STATE]: 'used' }));
  meter
    .createObservableUpDownCounter('db.client.connection.max', { description: 'Size of the connection pool.', unit: '{connection}' })
    .addCallback((result) => result.observe(max, pool));
  meter
    .createObservableUpDownCounter('db.client.connection.pending_requests', {
      description: 'Operations waiting for a free connection.',
      unit: '{request}',
    })
    .addCallback((result) => result.observe(Math.max(0, inFlight() - max), pool));
}
