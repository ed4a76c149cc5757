import { DependencyUnavailableError } from '../../domain/errors.ts';

// Errors that mean "the database cannot be reached", as opposed to a statement the database refused
// (a constraint violation, a syntax error): the first is an outage, answered 503; the second a bug.
// CONNECTION_ENDED / CONNECTION_DESTROYED are not here: postgres.js raises them after our own
// sql.end(), a state of this process (a query after shutdown began), not of the database.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'CONNECT_TIMEOUT',
  'CONNECTION_CLOSED',
]);

/** Rethrows a lost or refused database connection as a DependencyUnavailableError (HTTP 503). */
export async function asOutage<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && CONNECTION_CODES.has(code))
      throw new DependencyUnavailableError('database_unavailable', 'the database cannot be reached right now', undefined, { cause: error });
    throw error;
  }
}

/**
 * postgres.js waits before reconnecting after a failed connection, (0.5–1) × 3^n/100 s up to 20 s by
 * default, and queues every query meanwhile: during an outage requests would hang for seconds instead
 * of failing. The same curve capped at 0.25 s fails them within a second (an order runs several
 * statements, each may wait once) and reconnects as soon as Postgres is back; the pool size bounds
 * the attempts.
 */
export const reconnectBackoffSeconds = (retries: number): number => Math.min(((0.5 + Math.random() / 2) * 3 ** retries) / 100, 0.25);
