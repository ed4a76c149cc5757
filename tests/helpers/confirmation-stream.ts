/**
 * The order-confirmation stream of tests/integration/confirmation-stream.test.ts and
 * confirmation-dead-letters.test.ts: a private Redis, the consumers a test starts on it, and what the
 * dead-letter stream and the stream's counters hold.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { OrderConfirmation } from '../../src/domain/ports.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { ConfirmationConsumer } from '../../src/infra/redis/confirmation-consumer.ts';
import { connectRedis, createRedis, type RedisClient } from '../../src/infra/redis/connect.ts';
import { CONFIRMATIONS_DEAD_LETTER_STREAM, CONFIRMATIONS_STREAM } from '../../src/infra/redis/order-events.ts';
import { PrivateRedis } from './redis-server.ts';
import { metricPoints } from './telemetry.ts';

// A private Redis: other integration files flush the shared test db at start, which would drop the
// stream. On a port the OS assigns, so that two runs of the suite on one machine do not share it.
const server = new PrivateRedis();
// The JSON lines are dropped: the test reads the OTLP log records the logger exports.
export const logger = createLogger('worker', 'info', { write: () => {} });
/** The test's own connection (each consumer has its own). */
export let redis: RedisClient;
let consumers: Array<{ stop: () => Promise<unknown> }> = [];

async function startConfirmationStream(): Promise<void> {
  await server.start();
  redis = createRedis(server.url, logger, 'test');
  await connectRedis(redis, 2_000);
}

async function stopConfirmationStream(): Promise<void> {
  await stopConsumers();
  await redis?.close();
  await server.stop();
}

/** Before each test: no consumer running, an empty database. */
async function resetConfirmationStream(): Promise<void> {
  await stopConsumers();
  await redis.flushDb();
}

/** The hooks of a test file on the stream: the private Redis for the file, a clean stream per test. */
export function useConfirmationStream(): void {
  beforeAll(startConfirmationStream);
  afterAll(stopConfirmationStream);
  beforeEach(resetConfirmationStream);
}

export async function stopConsumers(): Promise<void> {
  await Promise.all(consumers.map((c) => c.stop()));
  consumers = [];
}

/** A started consumer on its own connection (its blocking reads must not hold the test's client). */
export async function startConsumer(
  handle: (c: OrderConfirmation) => Promise<void>,
  options: { maxDeliveries?: number; reclaimIdleMs?: number; deadLetterMaxLen?: number } = {},
) {
  const connection = createRedis(server.url, logger, 'stream');
  await connectRedis(connection, 2_000);
  const consumer = new ConfirmationConsumer(connection, handle, logger, {
    consumerName: `test-${consumers.length}`,
    blockMs: 20,
    batchSize: 10,
    reclaimIdleMs: 30,
    ...options,
  });
  await consumer.start();
  consumers.push({ stop: () => consumer.stop().then(() => connection.close()) });
}

export const confirmation = (orderId: string): OrderConfirmation => ({ orderId, tenantId: 'acme', userId: 'u-1' });

export async function deadLetteredTotal(errorType?: string): Promise<number> {
  const points = await metricPoints('shop.confirmations.dead_lettered');
  return points
    .filter((p) => p.attributes['messaging.destination.name'] === CONFIRMATIONS_STREAM)
    .filter((p) => errorType === undefined || p.attributes['error.type'] === errorType)
    .reduce((sum, p) => sum + Number(p.value), 0);
}

export async function trimmedTotal(): Promise<number> {
  const points = await metricPoints('shop.confirmations.dead_letter.trimmed');
  return points
    .filter((p) => p.attributes['messaging.destination.name'] === CONFIRMATIONS_DEAD_LETTER_STREAM)
    .reduce((sum, p) => sum + Number(p.value), 0);
}

export const deadLetters = async () =>
  ((await redis.xRange(CONFIRMATIONS_DEAD_LETTER_STREAM, '-', '+')) ?? []).flatMap((e) => (e ? [e] : []));
