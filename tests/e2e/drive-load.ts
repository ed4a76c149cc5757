import { ACTIONS, signupAndLogin, type ActionContext, type Shopper } from '../../src/loadgen/actions.ts';
import { ApiClient } from '../../src/loadgen/client.ts';
import { SCENARIOS, weightedPicker } from '../../src/loadgen/scenarios.ts';
import { SEED_TENANTS } from '../../src/infra/db/seed.ts';

/** Values a test later looks for in every backend: they must never arrive anywhere. */
export const SECRETS = {
  password: 'E2e-Pa55word-never-stored-7741',
  card: '5555555555554444',
};

export interface LoadStats {
  requests: number;
  byStatus: Record<number, number>;
  /** Requests whose status was the expected one, by loadgen action (signup, place_order, ...). */
  okByAction: Record<string, number>;
}

/** Signs shoppers up and in through the load generator's own action, retrying while the api warms up. */
async function newShopper(context: ActionContext, tenant: string): Promise<Shopper> {
  for (let attempt = 1; ; attempt++) {
    const shopper = await signupAndLogin(context, tenant);
    if (shopper) return shopper;
    if (attempt >= 10) throw new Error(`e2e: could not sign a shopper up and in for ${tenant}`);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
  }
}

/**
 * The load generator's mixed workload (its own actions and HTTP client) at about `ratePerSecond`
 * until `signal` aborts, with the fixed secrets of SECRETS in every signup and order.
 */
export async function driveLoad(apiUrl: string, ratePerSecond: number, signal: AbortSignal, stats: LoadStats): Promise<void> {
  const client = new ApiClient(apiUrl, 16);
  const context: ActionContext = {
    client,
    tenants: SEED_TENANTS.map((t) => t.id),
    shoppers: [],
    record: (action, result, ok) => {
      stats.requests++;
      stats.byStatus[result.status] = (stats.byStatus[result.status] ?? 0) + 1;
      if (ok) stats.okByAction[action] = (stats.okByAction[action] ?? 0) + 1;
    },
    secrets: { password: SECRETS.password, cardNumber: SECRETS.card },
  };
  try {
    context.shoppers = await Promise.all(context.tenants.flatMap((tenant) => [newShopper(context, tenant), newShopper(context, tenant)]));
    const pick = weightedPicker(SCENARIOS.mixed.weights);
    const pending = new Set<Promise<void>>();
    const interval = 1000 / ratePerSecond;
    let next = Date.now();
    while (!signal.aborted) {
      const action = ACTIONS[pick()](context).finally(() => pending.delete(action));
      pending.add(action);
      next += interval;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - Date.now())));
    }
    await Promise.all(pending);
  } finally {
    await client.close();
  }
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
