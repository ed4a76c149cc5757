import { hostname } from 'node:os';
import type { WorkerConfig } from '../config/service-config.ts';
import { ConfirmationService } from '../domain/confirmations.ts';
import { StaleOrderSweeper } from '../domain/stale-orders.ts';
import { createWorkerApp } from '../http/worker-app.ts';
import { connectDb } from '../infra/db/connect.ts';
import { PgOrderRepository } from '../infra/db/order-repository.ts';
import { postgresCheck, redisCheck } from '../infra/dependency-checks.ts';
import type { Logger } from '../infra/logger.ts';
import { ConfirmationConsumer } from '../infra/redis/confirmation-consumer.ts';
import { connectRedis, createRedis } from '../infra/redis/connect.ts';
import { waitForDependencies } from './lifecycle.ts';

/**
 * Wires the worker: a stream consumer on its own Redis connection (its blocking reads must not
 * delay the health probe's PING) and a small HTTP app for probes and the alert webhook.
 */
export async function composeWorker(config: WorkerConfig, logger: Logger) {
  const db = connectDb(
    { url: config.DATABASE_URL, poolMax: config.DATABASE_POOL_MAX, slowQueryMs: config.SLOW_QUERY_MS, poolName: 'worker' },
    logger,
  );
  const redis = createRedis(config.REDIS_URL, logger);
  const streamRedis = createRedis(config.REDIS_URL, logger, 'stream');
  const checks = [postgresCheck(db), redisCheck(redis)];
  await Promise.all([redis, streamRedis].map((client) => connectRedis(client, config.DEPENDENCY_TIMEOUT_MS).catch(() => {})));
  await waitForDependencies(
    checks,
    { retries: config.STARTUP_RETRIES, delayMs: config.STARTUP_RETRY_DELAY_MS, timeoutMs: config.DEPENDENCY_TIMEOUT_MS },
    logger,
  );
  const orders = new PgOrderRepository(db);
  const confirmations = new ConfirmationService(orders, logger);
  const consumer = new ConfirmationConsumer(streamRedis, (c) => confirmations.deliver(c), logger, {
    consumerName: `${hostname()}-${process.pid}`,
    blockMs: config.WORKER_BLOCK_MS,
    batchSize: config.WORKER_BATCH_SIZE,
    reclaimIdleMs: config.WORKER_RECLAIM_IDLE_MS,
    maxDeliveries: config.WORKER_MAX_DELIVERIES,
  });
  const app = createWorkerApp({
    logger,
    checks,
    dependencyTimeoutMs: config.DEPENDENCY_TIMEOUT_MS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    requestLog: { mode: config.REQUEST_LOG, slowMs: config.REQUEST_LOG_SLOW_MS },
  });
  const sweeper = new StaleOrderSweeper(orders, logger, { pendingTimeoutMs: config.WORKER_ORDER_PENDING_TIMEOUT_MS });
  const stale = periodic(
    () => sweeper.sweep().catch((error: unknown) => logger.error({ err: error }, 'stale_order_sweep_failed')),
    config.WORKER_STALE_ORDER_SWEEP_MS,
  );
  const close = async () => {
    await stale.stop();
    await consumer.stop();
    await db.end();
    await Promise.all([redis, streamRedis].map((client) => client.close().catch(() => client.destroy())));
  };
  return { app, consumer, db, sweeper, close };
}

/** Runs `task` now and every `intervalMs`, skipping a tick while one still runs; `stop` waits for it. */
function periodic(task: () => Promise<unknown>, intervalMs: number) {
  let running: Promise<unknown> | undefined;
  const run = () => {
    running ??= task().finally(() => {
      running = undefined;
    });
  };
  run();
  const timer = setInterval(run, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
