import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { collectMetrics, metricPoints } from '../helpers/telemetry.ts';

let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack();
  const session = await newSession(stack.apiUrl);
  await call(stack.apiUrl, 'GET', '/api/products');
  await call(stack.apiUrl, 'POST', '/api/orders', {
    token: session.token,
    body: { items: [{ sku: 'TSHIRT-OTEL', quantity: 2 }], payment: CARD },
  });
  stack.simulator.update({ declineRate: 1 });
  await call(stack.apiUrl, 'POST', '/api/orders', {
    token: session.token,
    body: { items: [{ sku: 'TSHIRT-OTEL', quantity: 1 }], payment: CARD },
  });
  stack.simulator.update({ declineRate: 0 });
});
afterAll(async () => {
  await stack?.close();
});

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const FORBIDDEN_KEYS = ['user.id', 'order.id', 'request_id', 'request.id', 'session.id', 'url.full', 'url.query', 'user.email'];

describe('metrics', () => {
  it('records http.server.request.duration with the route, method and status', async () => {
    const points = await metricPoints('http.server.request.duration');
    const orders = points.filter((p) => p.attributes['http.route'] === '/api/orders');
    expect(orders.length).toBeGreaterThan(0);
    expect(orders[0]!.attributes).toMatchObject({ 'http.request.method': 'POST' });
    expect(orders.map((p) => p.attributes['http.response.status_code'])).toEqual(expect.arrayContaining([201, 402]));
    expect(points.some((p) => p.attributes['http.route'] === '/api/products')).toBe(true);
  });

  it('counts business events by bounded attributes', async () => {
    expect((await metricPoints('shop.orders')).map((p) => p.attributes)).toEqual(
      expect.arrayContaining([
        { 'tenant.id': 'acme', 'order.status': 'completed' },
        { 'tenant.id': 'acme', 'order.status': 'failed' },
      ]),
    );
    const revenue = (await metricPoints('shop.revenue')).find((p) => p.attributes['product.sku'] === 'TSHIRT-OTEL');
    expect(revenue?.value).toBeGreaterThanOrEqual(50);
    expect((await metricPoints('shop.signups'))[0]?.attributes).toEqual({ 'tenant.id': 'acme', 'signup.source': 'web' });
    expect((await metricPoints('shop.payment.failures'))[0]?.attributes).toEqual({
      'tenant.id': 'acme',
      'payment.failure.reason': 'declined',
    });
    expect((await metricPoints('shop.api.calls')).some((p) => p.attributes['tenant.id'] === 'acme')).toBe(true);
    expect((await metricPoints('shop.cache.requests')).map((p) => p.attributes['cache.result'])).toEqual(expect.arrayContaining(['miss']));
  });

  it('exports DB duration, pool usage and max, dependency status, runtime and process metrics', async () => {
    const db = await metricPoints('db.client.operation.duration');
    expect(db.some((p) => p.attributes['db.operation.name'] === 'SELECT' && p.attributes['db.system.name'] === 'postgresql')).toBe(true);
    const api = { 'db.client.connection.pool.name': 'api' };
    expect(
      (await metricPoints('db.client.connection.max')).filter((p) => p.attributes['db.client.connection.pool.name'] === 'api'),
    ).toEqual([{ attributes: api, value: 10 }]);
    const byState = Object.fromEntries(
      (await metricPoints('db.client.connection.count'))
        .filter((p) => p.attributes['db.client.connection.pool.name'] === 'api')
        .map((p) => [p.attributes['db.client.connection.state'], p.value]),
    );
    // Between requests the connections the orders opened stay open and free (idle_timeout 30 s).
    expect(byState.used).toBe(0);
    expect(byState.idle).toBeGreaterThanOrEqual(1);
    expect((await metricPoints('shop.dependency.up')).map((p) => [p.attributes.dependency, p.value])).toEqual(
      expect.arrayContaining([
        ['postgres', 1],
        ['redis', 1],
      ]),
    );
    const names = (await collectMetrics()).scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name));
    expect(names).toEqual(
      expect.arrayContaining([
        'nodejs.eventloop.delay.p99',
        'nodejs.eventloop.utilization',
        'v8js.memory.heap.used',
        'process.cpu.time',
        'process.memory.usage',
      ]),
    );
  });

  it('carries no unbounded attribute on any metric', async () => {
    const resourceMetrics = await collectMetrics();
    for (const metric of resourceMetrics.scopeMetrics.flatMap((s) => s.metrics)) {
      for (const point of metric.dataPoints) {
        for (const key of FORBIDDEN_KEYS) expect(point.attributes, `${metric.descriptor.name} has ${key}`).not.toHaveProperty([key]);
        for (const value of Object.values(point.attributes)) expect(String(value), metric.descriptor.name).not.toMatch(UUID);
      }
    }
  });
});
