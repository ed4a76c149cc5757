import { ACTIONS, signupAndLogin, type ActionContext, type Shopper } from './actions.ts';
import { ApiClient } from './client.ts';
import { arrivalTime, type ArrivalPlan } from './schedule.ts';
import { SCENARIOS, weightedPicker } from './scenarios.ts';
import type { LoadStats } from './stats.ts';
import type { LoadOptions } from './args.ts';
import { setFault } from './faults.ts';
import { sleep } from '../util/sleep.ts';

/**
 * Runs one load test: signs users in, switches the scenario's fault on, fires arrivals on the open
 * schedule (an arrival that finds `concurrency` requests in flight is dropped and counted, never
 * queued), and always switches the fault off again, even when aborted.
 */
export async function runLoad(
  options: LoadOptions,
  stats: LoadStats,
  signal: AbortSignal,
  onEvent: (message: string) => void = () => {},
): Promise<void> {
  const scenario = SCENARIOS[options.scenario];
  const client = new ApiClient(options.target, Math.min(options.concurrency, 512));
  const context: ActionContext = {
    client,
    tenants: options.tenants,
    shoppers: [],
    record: (action, result, ok) => stats.record(action, result.latencyMs, result.status, ok),
  };
  try {
    context.shoppers = await signIn(context, options);
    if (context.shoppers.length === 0) throw new Error(`could not sign in any user at ${options.target} (is the api up?)`);
    if (scenario.fault) {
      await setFault(scenario.fault, 'on', options);
      onEvent(`fault on: ${scenario.fault.service} ${JSON.stringify(scenario.fault.on)}`);
    }
    const base: ArrivalPlan = {
      rate: options.rate,
      fromRate: options.rampMs > 0 ? options.rampFrom : options.rate,
      rampSeconds: options.rampMs / 1000,
      durationSeconds: options.durationMs / 1000,
    };
    await fire(scenario.plan ? scenario.plan(base) : base, options.concurrency, weightedPicker(scenario.weights), context, stats, signal);
  } finally {
    if (scenario.fault) {
      await setFault(scenario.fault, 'off', options).then(
        () => onEvent(`fault off: ${scenario.fault!.service} ${JSON.stringify(scenario.fault!.off)}`),
        (error: unknown) => onEvent(`could not switch the fault off: ${(error as Error).message}`),
      );
    }
    await client.close();
  }
}

async function signIn(context: ActionContext, options: LoadOptions): Promise<Shopper[]> {
  const jobs = options.tenants.flatMap((tenant) => Array.from({ length: options.users }, () => tenant));
  const shoppers = await Promise.all(jobs.map((tenant) => signupAndLogin(context, tenant)));
  return shoppers.filter((s): s is Shopper => s !== undefined);
}

async function fire(
  plan: ArrivalPlan,
  concurrency: number,
  pick: () => keyof typeof ACTIONS,
  context: ActionContext,
  stats: LoadStats,
  signal: AbortSignal,
): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  const start = performance.now();
  for (let k = 1; !signal.aborted; k++) {
    const at = arrivalTime(plan, k);
    if (at === undefined) break;
    await sleep(start + at * 1000 - performance.now(), signal);
    if (signal.aborted) break;
    stats.sent++;
    if (inFlight.size >= concurrency) {
      stats.dropped++;
      continue;
    }
    const run = ACTIONS[pick()](context).finally(() => inFlight.delete(run));
    inFlight.add(run);
  }
  await Promise.allSettled(inFlight);
}
