import { randomUUID } from 'node:crypto';
import { DEMO_SKUS } from '../domain/catalogue.ts';
import { SIGNUP_SOURCES } from '../domain/model.ts';
import type { ApiClient, CallResult } from './client.ts';

export interface Shopper {
  tenant: string;
  userId: string;
  token: string;
}

export interface ActionContext {
  client: ApiClient;
  tenants: string[];
  shoppers: Shopper[];
  record: (action: string, result: CallResult, ok: boolean) => void;
  /** Fixed values instead of random passwords and the default test card: the e2e searches every backend for them. */
  secrets?: { password?: string; cardNumber?: string };
}

/** Test card numbers (never real): the api redacts and the Collector scrubs them anyway. */
const CARD = { card_number: '4242424242424242', expiry: '12/30', cvc: '123' };

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Signs a new user up and in; resolves the shopper, or undefined if either step failed. */
export async function signupAndLogin(context: ActionContext, tenant: string): Promise<Shopper | undefined> {
  const email = `load-${randomUUID()}@example.test`;
  const password = context.secrets?.password ?? `pw-${randomUUID()}`;
  const signup = await context.client.call('POST', '/api/users', {
    tenant,
    body: { email, name: 'Load Shopper', password, source: pick(SIGNUP_SOURCES) },
  });
  context.record('signup', signup, signup.status === 201);
  if (signup.status !== 201) return undefined;
  const login = await context.client.call('POST', '/api/sessions', { tenant, body: { email, password } });
  context.record('login', login, login.status === 201);
  return login.status === 201 ? { tenant, userId: signup.json.id, token: login.json.token } : undefined;
}

/** What one arrival does. Each records its own requests; "ok" means the status was expected. */
export const ACTIONS = {
  browse: async (context: ActionContext) => {
    const shopper = pick(context.shoppers);
    if (Math.random() < 0.7) {
      const result = await context.client.call('GET', '/api/products', { tenant: shopper.tenant });
      context.record('list_products', result, result.status === 200);
    } else {
      const result = await context.client.call('GET', `/api/users/${shopper.userId}`, { tenant: shopper.tenant, token: shopper.token });
      context.record('get_profile', result, result.status === 200);
    }
  },
  'signup-login': async (context: ActionContext) => {
    await signupAndLogin(context, pick(context.tenants));
  },
  checkout: async (context: ActionContext) => {
    const shopper = pick(context.shoppers);
    const items = [{ sku: pick(DEMO_SKUS), quantity: 1 + Math.floor(Math.random() * 3) }];
    const result = await context.client.call('POST', '/api/orders', {
      tenant: shopper.tenant,
      token: shopper.token,
      body: { items, payment: context.secrets?.cardNumber ? { ...CARD, card_number: context.secrets.cardNumber } : CARD },
    });
    // A declined card (402) is a business outcome, not a failure of the system.
    context.record('place_order', result, result.status === 201 || result.status === 402);
  },
  'bad-input': async (context: ActionContext) => {
    const tenant = pick(context.tenants);
    const roll = Math.random();
    const result =
      roll < 0.25
        ? await context.client.call('POST', '/api/users', { tenant, rawBody: '{"email": "broken' })
        : roll < 0.5
          ? await context.client.call('POST', '/api/users', { tenant, body: { email: 'not-an-email', name: '', password: 'x' } })
          : roll < 0.75
            ? await context.client.call('GET', '/api/products')
            : await context.client.call('GET', '/api/orders/not-a-uuid', { tenant });
    context.record('bad_input', result, result.status >= 400 && result.status < 500);
  },
} as const;

export type ActionName = keyof typeof ACTIONS;
