import type autocannon from 'autocannon';
import { DEMO_SKUS } from '../../src/domain/catalogue.ts';
import { SEED_TENANTS } from '../../src/infra/db/seed.ts';
import { signupAndLogin, type Shopper } from '../../src/loadgen/actions.ts';
import { ApiClient, type CallResult } from '../../src/loadgen/client.ts';

/** One route under test: how autocannon sends it (saturation) and how the open-model load sends it. */
export interface BenchRoute {
  id: 'cacheHit' | 'checkout';
  title: string;
  /** What the route does per request, for the tables. */
  work: string;
  /** autocannon's request, relative to the api's base URL. */
  autocannonRequest: autocannon.Request;
  send(client: ApiClient): Promise<CallResult>;
  isOk(status: number): boolean;
}

export const cacheHitRoute: BenchRoute = {
  id: 'cacheHit',
  title: 'GET /api/products (cache hit)',
  work: 'tenant and rate-limit middleware (one Redis script call), one cached catalogue GET from Redis, one pino line',
  autocannonRequest: { method: 'GET', path: '/api/products', headers: { 'x-tenant-id': 'acme' } },
  send: (client) => client.call('GET', '/api/products', { tenant: 'acme' }),
  isOk: (status) => status === 200,
};

const CARD = { card_number: '4242424242424242', expiry: '12/30', cvc: '123' };
const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/**
 * Signs one shopper in per seeded tenant (sessions live in the shared Redis, so every api process
 * accepts them), then orders one unit of a random product of a random tenant per request: spreading
 * orders over 3 × 6 product rows keeps Postgres row locks from serialising the transactions.
 */
export async function checkoutRoute(apiUrl: string): Promise<BenchRoute> {
  const client = new ApiClient(apiUrl, 4);
  let shoppers: Shopper[];
  try {
    const context = { client, tenants: [], shoppers: [], record: () => {} };
    shoppers = (await Promise.all(SEED_TENANTS.map((t) => signupAndLogin(context, t.id)))).filter((s) => s !== undefined);
  } finally {
    await client.close();
  }
  if (shoppers.length !== SEED_TENANTS.length) throw new Error(`could not sign a shopper in for every tenant at ${apiUrl}`);
  const order = () => {
    const shopper = pick(shoppers);
    return { shopper, body: { items: [{ sku: pick(DEMO_SKUS), quantity: 1 }], payment: CARD } };
  };
  return {
    id: 'checkout',
    title: 'POST /api/orders (checkout)',
    work: 'auth (session from Redis), a Postgres transaction (lock, update stock, insert order and line), a payment call to the payments service, an order update, a cache delete, a Redis stream entry, two pino lines',
    autocannonRequest: {
      method: 'POST',
      path: '/api/orders',
      setupRequest: (request) => {
        const { shopper, body } = order();
        return {
          ...request,
          headers: { 'content-type': 'application/json', 'x-tenant-id': shopper.tenant, authorization: `Bearer ${shopper.token}` },
          body: JSON.stringify(body),
        };
      },
    },
    send: (client) => {
      const { shopper, body } = order();
      return client.call('POST', '/api/orders', { tenant: shopper.tenant, token: shopper.token, body });
    },
    isOk: (status) => status === 201,
  };
}
