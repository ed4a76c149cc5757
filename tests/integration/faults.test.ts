import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { productsCacheKey } from '../../src/domain/products.ts';
import { TEST_REDIS_URL } from '../helpers/backends.ts';
import { startInProcessStack, TEST_ADMIN_TOKEN, type InProcessStack } from '../helpers/in-process-stack.ts';
import { call } from '../helpers/shop-client.ts';
import { eventually, metricPoints } from '../helpers/telemetry.ts';

let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack({ DATABASE_POOL_MAX: '3', SLOW_QUERY_MS: '500' });
});
afterAll(async () => {
  await stack?.close();
});

const setFaults = (body: Record<string, boolean>, token = TEST_ADMIN_TOKEN) =>
  call(stack.apiUrl, 'PUT', '/admin/faults', { body, headers: { authorization: `Bearer ${token}` } });

async function forgetCachedProducts(tenant: string): Promise<void> {
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  try {
    await redis.del(productsCacheKey(tenant));
  } finally {
    await redis.close();
  }
}

describe('injected faults (admin endpoint of the api)', () => {
  it('refuses callers without the admin token and rejects empty changes', async () => {
    expect((await setFaults({ redis_down: true }, 'wrong-token-123456')).status).toBe(401);
    expect(
      (await call(stack.apiUrl, 'PUT', '/admin/faults', { body: {}, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } })).status,
    ).toBe(400);
  });

  it('redis_down makes readiness fail and the api degrade, and recovers when cleared', async () => {
    expect((await setFaults({ redis_down: true })).body).toEqual({ db_saturation: false, redis_down: true });
    const ready = await call(stack.apiUrl, 'GET', '/health/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.checks.redis.status).toBe('fail');
    expect((await call(stack.apiUrl, 'GET', '/api/products')).status).toBe(200);
    await setFaults({ redis_down: false });
    await eventually(
      () => call(stack.apiUrl, 'GET', '/health/ready'),
      (r) => r.status === 200,
    );
  });

  it('db_saturation holds every pool connection: requests wait and slow queries are logged', async () => {
    const used = async () =>
      Math.max(
        0,
        ...(await metricPoints('db.client.connection.count'))
          .filter((p) => p.attributes['db.client.connection.state'] === 'used')
          .map((p) => Number(p.value)),
      );
    const pending = async () => Math.max(0, ...(await metricPoints('db.client.connection.pending_requests')).map((p) => Number(p.value)));
    await setFaults({ db_saturation: true });
    try {
      // Every connection of the api's pool held by the fault (the worker's pool, in this process too, stays idle).
      await eventually(used, (value) => value === 3);
      // The effect: a real request finds no free connection, waits in the queue, and is slow. Its
      // tenant's catalogue must not be cached, or it would never ask the database.
      await forgetCachedProducts('globex');
      const started = performance.now();
      const inFlight = call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-tenant-id': 'globex' } });
      // Waiting operations show as pending (the api's own dependency gauges may wait there too).
      await eventually(pending, (value) => value >= 1);
      const response = await inFlight;
      expect(response.status).toBe(200);
      expect(performance.now() - started).toBeGreaterThan(200);
      await eventually(
        () => stack.logs.lines.find((l) => l.message === 'slow_query'),
        (l) => l !== undefined,
        5_000,
      );
    } finally {
      await setFaults({ db_saturation: false });
    }
    // Cleared: the queue drains and the connections are free again.
    await eventually(pending, (value) => value === 0);
    await eventually(used, (value) => value === 0);
  });
});
