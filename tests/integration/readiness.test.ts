import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { PrivateRedis } from '../helpers/redis-server.ts';
import { call } from '../helpers/shop-client.ts';
import { eventually, metricPoints } from '../helpers/telemetry.ts';

const redis = new PrivateRedis();
let stack: InProcessStack;
beforeAll(async () => {
  await redis.start();
  stack = await startInProcessStack({ REDIS_URL: redis.url });
});
afterAll(async () => {
  await stack?.close();
  await redis.stop();
});

const ready = () => call(stack.apiUrl, 'GET', '/health/ready');

describe('readiness follows Redis without a restart of the service', () => {
  it('answers 200 with per-check status and latency while everything is up', async () => {
    const response = await ready();
    expect(response.status).toBe(200);
    expect(response.body.checks.postgres).toMatchObject({ status: 'ok' });
    expect(response.body.checks.redis.latency_ms).toBeTypeOf('number');
    expect((await call(stack.apiUrl, 'GET', '/health/live')).status).toBe(200);
  });

  it('answers 503 naming Redis while it is stopped, keeps serving what does not need it, and recovers', async () => {
    await redis.stop();
    const down = await eventually(ready, (r) => r.status === 503);
    expect(down.body.status).toBe('fail');
    expect(down.body.checks.redis.status).toBe('fail');
    expect(down.body.checks.postgres.status).toBe('ok');
    // Degraded, not crashed: the catalogue is read from Postgres when the cache is unreachable.
    expect((await call(stack.apiUrl, 'GET', '/api/products')).status).toBe(200);
    const gauge = await metricPoints('shop.dependency.up');
    expect(gauge.find((p) => p.attributes.dependency === 'redis')?.value).toBe(0);

    await redis.start();
    const up = await eventually(ready, (r) => r.status === 200, 15_000);
    expect(up.body.checks.redis.status).toBe('ok');
  });
});
