import type { ApiConfig } from '../config/service-config.ts';
import { OrderService } from '../domain/orders.ts';
import { ProductService } from '../domain/products.ts';
import { UserService } from '../domain/users.ts';
import { createApiApp } from '../http/api-app.ts';
import { connectDb } from '../infra/db/connect.ts';
import { migrate } from '../infra/db/migrations.ts';
import { PgOrderRepository } from '../infra/db/order-repository.ts';
import { PgProductRepository } from '../infra/db/product-repository.ts';
import { seed } from '../infra/db/seed.ts';
import { PgTenantRepository } from '../infra/db/tenant-repository.ts';
import { PgUserRepository } from '../infra/db/user-repository.ts';
import { postgresCheck, redisCheck } from '../infra/dependency-checks.ts';
import { FaultInjector } from '../infra/fault-injector.ts';
import { HttpPaymentGateway } from '../infra/http/payments-client.ts';
import type { Logger } from '../infra/logger.ts';
import { ScryptPasswordHasher } from '../infra/password-hasher.ts';
import { RedisActiveUsers } from '../infra/redis/active-users.ts';
import { RedisCache } from '../infra/redis/cache.ts';
import { connectRedis, createRedis } from '../infra/redis/connect.ts';
import { RedisOrderEvents } from '../infra/redis/order-events.ts';
import { RedisRateLimiter } from '../infra/redis/rate-limiter.ts';
import { RedisSessionStore } from '../infra/redis/session-store.ts';
import { runChecks } from '../http/health.ts';
import { ATTR_DEPENDENCY, ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { observeGauge } from '../telemetry/gauges.ts';
import { withoutTracing } from '../telemetry/tracing.ts';
import { waitForDependencies } from './lifecycle.ts';

/** Wires the api from its settings: pools, repositories, use cases and the Hono app. */
export async function composeApi(config: ApiConfig, logger: Logger) {
  const db = connectDb(
    { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, slowQueryMs: config.SLOW_QUERY_MS, poolName: 'api' },
    logger,
  );
  const redis = createRedis(config.REDIS_URL, logger);
  const checks = [postgresCheck(db), redisCheck(redis)];
  await connectRedis(redis, config.DEPENDENCY_TIMEOUT_MS).catch(() => {});
  await waitForDependencies(
    checks,
    { retries: config.STARTUP_RETRIES, delayMs: config.STARTUP_RETRY_DELAY_MS, timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
    logger,
  );
  if (config.MIGRATE_ON_START) {
    const applied = await withoutTracing(() => migrate(db.sql));
    await withoutTracing(() => seed(db.sql));
    logger.info({ applied }, 'migrations_applied');
  }

  const tenants = new PgTenantRepository(db);
  const sessions = new RedisSessionStore(redis);
  const cache = new RedisCache(redis);
  const activeUsers = new RedisActiveUsers(redis);
  const payments = new HttpPaymentGateway(config.PAYMENTS_URL, config.PAYMENTS_TIMEOUT_MS);
  const users = new UserService({
    users: new PgUserRepository(db),
    hasher: new ScryptPasswordHasher({ concurrency: config.SCRYPT_CONCURRENCY }),
    sessions,
    cache,
    activeUsers,
    logger,
    sessionTtlSeconds: config.SESSION_TTL_SECONDS,
    cacheTtlSeconds: config.CACHE_TTL_SECONDS,
  });
  const products = new ProductService(new PgProductRepository(db), cache, logger, config.CACHE_TTL_SECONDS);
  const orders = new OrderService(new PgOrderRepository(db), payments, new RedisOrderEvents(redis), cache, logger);

  observeGauge('shop.dependency.up', { description: 'Whether the last dependency probe succeeded (1) or not (0).' }, async () => {
    const results = await runChecks(checks, config.DEPENDENCY_TIMEOUT_MS);
    return Object.entries(results).map(([name, r]) => ({ value: r.status === 'ok' ? 1 : 0, attributes: { [ATTR_DEPENDENCY]: name } }));
  });
  observeGauge('shop.users.active', { description: 'Distinct users who signed in today.', unit: '{user}' }, () =>
    withoutTracing(async () => {
      const list = await tenants.list().catch(() => []);
      const counts = await Promise.all(list.map((t) => activeUsers.count(t.id).catch(() => undefined)));
      return list.flatMap((t, i) => (counts[i] === undefined ? [] : [{ value: counts[i], attributes: { [ATTR_TENANT_ID]: t.id } }]));
    }),
  );

  const faults = new FaultInjector(db, redis, config.DATABASE_POOL_MAX, logger);
  const app = createApiApp({
    logger,
    checks,
    dependencyTimeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    requestLog: { mode: config.REQUEST_LOG, slowMs: config.REQUEST_LOG_SLOW_MS },
    tenants,
    sessions,
    rateLimiter: new RedisRateLimiter(redis, config.RATE_LIMIT_PER_MINUTE),
    loginLimiters: {
      perClient: new RedisRateLimiter(redis, config.LOGIN_RATE_LIMIT_PER_CLIENT, 60, 'ratelimit:login:client'),
      perAccount: new RedisRateLimiter(redis, config.LOGIN_RATE_LIMIT_PER_ACCOUNT, 60, 'ratelimit:login:account'),
    },
    users,
    products,
    orders,
    faults,
    adminToken: config.ADMIN_TOKEN,
    heapSnapshots: config.HEAP_SNAPSHOT_ENABLED,
  });
  const close = async () => {
    await faults.clear();
    await payments.close();
    await db.end();
    await redis.close().catch(() => redis.destroy());
  };
  return { app, db, redis, close };
}
