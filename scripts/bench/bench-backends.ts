/**
 * Where the benchmarks' services keep their data: the Postgres and Redis of scripts/backends.sh, but
 * Redis database 3, not the native stack's 0. A benchmark places tens of thousands of orders and leaves
 * their confirmation entries in the stream with no worker consuming them; in database 0 the worker of
 * the native stack (scripts/native-stack.sh, the e2e tests) would then work through that backlog
 * before the orders it is watched for. DATABASE_URL / REDIS_URL override both.
 */
export const BENCH_DATABASE_URL = process.env.DATABASE_URL || 'postgres://otelkit:otelkit@127.0.0.1:5432/otelkit';
export const BENCH_REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379/3';
