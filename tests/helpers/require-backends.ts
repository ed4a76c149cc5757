import postgres from 'postgres';
import { createClient } from 'redis';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './backends.ts';

const HINT = 'start them with `scripts/backends.sh start` (or set TEST_DATABASE_URL / TEST_REDIS_URL)';

/**
 * Global setup of the integration and e2e projects: a missing Postgres or Redis fails the run with
 * a clear message (never a silent skip), and the test database and Redis db start empty.
 */
export default async function requireBackends(): Promise<void> {
  const sql = postgres(TEST_DATABASE_URL, { max: 1, connect_timeout: 5, onnotice: () => {} });
  try {
    await sql`DROP SCHEMA IF EXISTS public CASCADE`;
    await sql`CREATE SCHEMA public`;
  } catch (error) {
    throw new Error(`Postgres is required at ${TEST_DATABASE_URL} and is not usable (${(error as Error).message}); ${HINT}`, {
      cause: error,
    });
  } finally {
    await sql.end();
  }
  const redis = createClient({ url: TEST_REDIS_URL, socket: { connectTimeout: 2_000, reconnectStrategy: false } });
  redis.on('error', () => {});
  try {
    await redis.connect();
    await redis.flushDb();
  } catch (error) {
    throw new Error(`Redis is required at ${TEST_REDIS_URL} and is not usable (${(error as Error).message}); ${HINT}`, { cause: error });
  } finally {
    if (redis.isOpen) await redis.close();
  }
}
