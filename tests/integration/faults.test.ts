import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    await setFaults({ db_saturation: true });
    try {
      // The worker's pool reports too (same process in this test): the api's is the busy one.
      const used = await eventually(
        async () => Math.max(...(await metricPoints('db.client.connection.count')).map((p) => Number(p.value))),
        (value) => value === 3,
      );
      expect(used).toBe(3);
      const started = performance.now();
      const response = await call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-tenant-id': 'globex' } });
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
  });
});
