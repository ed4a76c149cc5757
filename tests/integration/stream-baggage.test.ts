import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { connectRedis, createRedis, type RedisClient } from '../../src/infra/redis/connect.ts';
import { deadLetter } from '../../src/infra/redis/dead-letter.ts';
import { CONFIRMATIONS_DEAD_LETTER_STREAM, CONFIRMATIONS_STREAM } from '../../src/infra/redis/order-events.ts';
import { TEST_REDIS_URL } from '../helpers/backends.ts';
import { LogCapture, startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';

// A client's `baggage` header is the caller's data: it may name anything (a user, a token) and must
// not be written to Redis, nor copied from there into dead letters. Only trace context travels.
let stack: InProcessStack;
let redis: RedisClient;
beforeAll(async () => {
  stack = await startInProcessStack();
  redis = createRedis(TEST_REDIS_URL, createLogger('test', 'info', new LogCapture()), 'test');
  await connectRedis(redis, 2_000);
});
afterAll(async () => {
  await redis?.close();
  await stack?.close();
});

const entries = async (stream: string) => ((await redis.xRange(stream, '-', '+')) ?? []).flatMap((e) => (e ? [e] : []));

describe('the confirmation stream entry', () => {
  it('holds traceparent/tracestate but no baggage of a request that sent one, and neither does its dead letter', async () => {
    const session = await newSession(stack.apiUrl);
    const response = await call(stack.apiUrl, 'POST', '/api/orders', {
      token: session.token,
      headers: {
        baggage: 'account.secret=s3cr3t,user.email=someone%40example.com',
      },
      body: { items: [{ sku: 'STICKER-PACK', quantity: 1 }], payment: CARD },
    });
    expect(response.status).toBe(201);
    const orderId = response.body.id as string;
    const [entry] = await eventually(
      async () => (await entries(CONFIRMATIONS_STREAM)).filter((e) => e.message.order_id === orderId),
      (found) => found.length === 1,
    );
    const fields = Object.keys(entry!.message).filter((key) => key !== 'tracestate');
    expect(fields.sort()).toEqual(['order_id', 'tenant_id', 'traceparent', 'user_id']);
    expect(entry!.message.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(JSON.stringify(entry)).not.toMatch(/s3cr3t|someone/);

    // The worker dead-letters what it cannot deliver by copying the entry: nothing of the baggage either.
    const worker = createLogger('worker', 'info', new LogCapture());
    await deadLetter(redis, worker, entry!, { deliveries: 5, reason: 'max_deliveries', maxLen: 100 });
    const [dead] = (await entries(CONFIRMATIONS_DEAD_LETTER_STREAM)).filter((e) => e.message.source_message_id === entry!.id);
    expect(dead?.message).toMatchObject({ order_id: orderId, reason: 'max_deliveries' });
    expect(dead?.message).not.toHaveProperty('baggage');
    expect(JSON.stringify(dead)).not.toMatch(/s3cr3t|someone/);
  });
});
