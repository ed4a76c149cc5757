import { randomUUID } from 'node:crypto';

/** Values a test later looks for in every backend: they must never arrive anywhere. */
export const SECRETS = {
  password: 'E2e-Pa55word-never-stored-7741',
  card: '5555555555554444',
};

const TENANTS = ['acme', 'globex', 'initech'];
const SOURCES = ['web', 'mobile', 'partner', 'referral'];
const SKUS = ['TSHIRT-OTEL', 'MUG-TRACE', 'STICKER-PACK', 'HOODIE-SPAN', 'CAP-METRIC', 'BOOK-SRE'];

interface Shopper {
  tenant: string;
  id: string;
  token: string;
}

export interface LoadStats {
  requests: number;
  byStatus: Record<number, number>;
}

async function send(
  apiUrl: string,
  tenant: string,
  method: string,
  path: string,
  body?: unknown,
  token?: string,
): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { 'x-tenant-id': tenant };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${apiUrl}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : undefined };
}

/** Signs a shopper up and in, retrying a few times (the api may be busy or rate limiting). */
async function newShopper(apiUrl: string, tenant: string): Promise<Shopper> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await tryNewShopper(apiUrl, tenant);
    } catch (error) {
      if (attempt >= 10) throw error;
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}

async function tryNewShopper(apiUrl: string, tenant: string): Promise<Shopper> {
  const email = `e2e-${randomUUID()}@example.test`;
  const source = SOURCES[Math.floor(Math.random() * SOURCES.length)];
  const signup = await send(apiUrl, tenant, 'POST', '/api/users', { email, name: 'E2E Shopper', password: SECRETS.password, source });
  const login = await send(apiUrl, tenant, 'POST', '/api/sessions', { email, password: SECRETS.password });
  if (login.status !== 201) throw new Error(`e2e login failed: ${login.status}`);
  return { tenant, id: signup.json.id, token: login.json.token };
}

/**
 * A small mixed workload at about `ratePerSecond` until `signal` aborts: catalogue reads, profile
 * reads (cache hits), orders (with a card number in the body) and bad input.
 */
export async function driveLoad(apiUrl: string, ratePerSecond: number, signal: AbortSignal, stats: LoadStats): Promise<void> {
  const shoppers = await Promise.all(TENANTS.flatMap((tenant) => [newShopper(apiUrl, tenant), newShopper(apiUrl, tenant)]));
  const pending = new Set<Promise<void>>();
  const interval = 1000 / ratePerSecond;
  let next = Date.now();
  while (!signal.aborted) {
    const shopper = shoppers[Math.floor(Math.random() * shoppers.length)]!;
    const roll = Math.random();
    const request =
      roll < 0.4
        ? send(apiUrl, shopper.tenant, 'GET', '/api/products')
        : roll < 0.55
          ? send(apiUrl, shopper.tenant, 'GET', `/api/users/${shopper.id}`, undefined, shopper.token)
          : roll < 0.95
            ? send(
                apiUrl,
                shopper.tenant,
                'POST',
                '/api/orders',
                {
                  items: [{ sku: SKUS[Math.floor(Math.random() * SKUS.length)], quantity: 1 }],
                  payment: { card_number: SECRETS.card, expiry: '10/31', cvc: '321' },
                },
                shopper.token,
              )
            : send(apiUrl, shopper.tenant, 'POST', '/api/users', { email: 'broken', password: SECRETS.password });
    const tracked = request
      .then((r) => {
        stats.byStatus[r.status] = (stats.byStatus[r.status] ?? 0) + 1;
      })
      .catch(() => {
        stats.byStatus[0] = (stats.byStatus[0] ?? 0) + 1;
      })
      .finally(() => {
        stats.requests++;
        pending.delete(tracked);
      });
    pending.add(tracked);
    next += interval;
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
  }
  await Promise.all(pending);
}

/** Changes the payments gateway's behaviour through its admin endpoint. */
export async function tunePayments(paymentsUrl: string, adminToken: string, settings: Record<string, number>): Promise<void> {
  const response = await fetch(`${paymentsUrl}/admin/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  if (!response.ok) throw new Error(`payments admin: ${response.status} ${await response.text()}`);
}
