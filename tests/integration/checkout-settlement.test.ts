import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OrderService } from '../../src/domain/orders.ts';
import type { PaymentGateway } from '../../src/domain/ports.ts';
import { StaleOrderSweeper } from '../../src/domain/stale-orders.ts';
import { connectDb } from '../../src/infra/db/connect.ts';
import { migrate } from '../../src/infra/db/migrations.ts';
import { PgOrderRepository } from '../../src/infra/db/order-repository.ts';
import { seed } from '../../src/infra/db/seed.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, call, newSession, TENANT } from '../helpers/shop-client.ts';
import { eventually, finishedSpans, metricPoints } from '../helpers/telemetry.ts';

/**
 * Every path out of checkout leaves the order completed or failed with its stock released: an
 * unexpected error during the charge fails it on the spot, and an order whose process died
 * mid-checkout is found by the worker's stale-order sweeper and failed.
 */
const SKU = 'STICKER-PACK';
const logger = createLogger('api', 'info', { write: () => {} });
const db = connectDb({ url: TEST_DATABASE_URL, poolMax: 4, slowQueryMs: 10_000, poolName: 'checkout-test' }, logger);
const sql = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
const processes: ServiceProcess[] = [];

beforeAll(async () => {
  await migrate(db.sql);
  await seed(db.sql);
});
afterAll(async () => {
  await Promise.all(processes.map((p) => p.stop('SIGKILL').catch(() => {})));
  await db.end();
  await sql.end();
});

const stock = async () =>
  (await sql<{ stock: number }[]>`SELECT stock FROM products WHERE tenant_id = ${TENANT} AND sku = ${SKU}`)[0]!.stock;
const ordersOf = (userId: string) =>
  sql<
    { id: string; status: string; failure_reason: string | null }[]
  >`SELECT id, status, failure_reason FROM orders WHERE user_id = ${userId}`;
const failedOrders = async () =>
  (await metricPoints('shop.orders'))
    .filter((p) => p.attributes['tenant.id'] === TENANT && p.attributes['order.status'] === 'failed')
    .reduce((sum, p) => sum + Number(p.value), 0);

/** A port the operating system picked (and released again for the child process to take). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('checkout settlement', () => {
  it('an error other than PaymentGatewayError during the charge fails the order and releases its stock', async () => {
    const [user] = await sql<{ id: string }[]>`
      INSERT INTO users (tenant_id, email, name, password_hash, signup_source)
      VALUES (${TENANT}, ${`unexpected-${Date.now()}@example.test`}, 'Test', 'x', 'web') RETURNING id`;
    const broken: PaymentGateway = {
      charge: async () => {
        throw new TypeError("Cannot read properties of undefined (reading 'status')");
      },
    };
    const events = { publishConfirmation: async () => 'never' };
    const cache = { get: async () => undefined, set: async () => {}, delete: async () => {} };
    const service = new OrderService(new PgOrderRepository(db), broken, events, cache, logger);
    const card = { cardNumber: CARD.card_number, expiry: CARD.expiry, cvc: CARD.cvc };
    const stockBefore = await stock();
    const failedBefore = await failedOrders();

    await expect(service.place({ tenantId: TENANT, userId: user!.id, items: [{ sku: SKU, quantity: 3 }], card })).rejects.toThrow(
      TypeError,
    );

    expect(await ordersOf(user!.id)).toEqual([expect.objectContaining({ status: 'failed', failure_reason: 'internal_error' })]);
    expect(await stock()).toBe(stockBefore);
    expect((await failedOrders()) - failedBefore).toBe(1);
    const orderId = (await ordersOf(user!.id))[0]!.id;
    const span = finishedSpans().find((s) => s.name === 'process_order' && s.attributes['order.id'] === orderId);
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes).toMatchObject({ 'error.type': 'TypeError', 'order.status': 'failed' });
  });

  it('an order left pending by an api killed mid-checkout is found by the worker past the bound, failed and its stock released', async () => {
    const ports = { api: await freePort(), payments: await freePort(), worker: await freePort() };
    const payments = new ServiceProcess('payments', {
      OTEL_SDK_DISABLED: 'true',
      PORT: String(ports.payments),
      PAYMENTS_LATENCY_MS: '120000',
      PAYMENTS_DECLINE_RATE: '0',
    }).start();
    const backends = { OTEL_SDK_DISABLED: 'true', DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
    const api = new ServiceProcess('api', {
      ...backends,
      PORT: String(ports.api),
      PAYMENTS_URL: `http://127.0.0.1:${ports.payments}`,
      PAYMENTS_TIMEOUT_MS: '300000',
    }).start();
    processes.push(payments, api);
    await waitForHttp(`http://127.0.0.1:${ports.payments}/health/ready`, payments);
    await waitForHttp(`http://127.0.0.1:${ports.api}/health/ready`, api);
    const url = `http://127.0.0.1:${ports.api}`;
    const { userId, token } = await newSession(url);
    const stockBefore = await stock();

    // The charge hangs at the gateway: the order is pending with its stock reserved when the api dies.
    const checkout = call(url, 'POST', '/api/orders', { token, body: { items: [{ sku: SKU, quantity: 2 }], payment: CARD } }).catch(
      (error: unknown) => error,
    );
    const [pending] = await eventually(
      () => ordersOf(userId),
      (rows) => rows.length === 1,
    );
    expect(pending!.status).toBe('pending');
    expect(await stock()).toBe(stockBefore - 2);
    await api.stop('SIGKILL');
    expect(await checkout).toBeInstanceOf(Error);

    // Younger than the bound: left alone (it could be a live checkout).
    expect(await new StaleOrderSweeper(new PgOrderRepository(db), logger, { pendingTimeoutMs: 3_600_000 }).sweep()).toBe(0);
    expect((await ordersOf(userId))[0]!.status).toBe('pending');

    const worker = new ServiceProcess('worker', {
      ...backends,
      PORT: String(ports.worker),
      WORKER_ORDER_PENDING_TIMEOUT_MS: '1',
      WORKER_STALE_ORDER_SWEEP_MS: '100',
    }).start();
    processes.push(worker);
    const [settled] = await eventually(
      () => ordersOf(userId),
      (rows) => rows[0]?.status !== 'pending',
      20_000,
    );
    expect(settled).toMatchObject({ status: 'failed', failure_reason: 'abandoned' });
    expect(await stock()).toBe(stockBefore);
    const line = await eventually(
      () => worker.jsonLines().find((l) => l.message === 'stale_order_settled' && l.order_id === pending!.id),
      Boolean,
    );
    expect(line).toMatchObject({ level: 'warn', reason: 'abandoned', tenant_id: TENANT });
    await worker.stop();
  }, 60_000);
});
