/** Where the tests find Postgres and Redis (scripts/backends.sh starts both on these defaults). */
export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://otelkit:otelkit@127.0.0.1:5432/otelkit_test';
export const TEST_REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/1';
