import type { ActionName } from './actions.ts';
import type { ArrivalPlan } from './schedule.ts';
import type { ScenarioName } from './scenario-names.ts';

/** A fault switched on through an admin endpoint for the run, and switched off after it. */
export interface FaultToggle {
  service: 'payments' | 'api';
  /** The admin endpoint, when not the service's usual one (payments /admin/config, api /admin/faults). */
  path?: string;
  on: Record<string, unknown>;
  off: Record<string, unknown>;
}

export interface Scenario {
  description: string;
  weights: Partial<Record<ActionName, number>>;
  fault?: FaultToggle;
  /** Reshapes the arrival plan (the traffic spike multiplies the rate). */
  plan?: (plan: ArrivalPlan) => ArrivalPlan;
}

const MIXED: Scenario['weights'] = { browse: 60, checkout: 25, 'signup-login': 10, 'bad-input': 5 };

export const SCENARIOS: Record<ScenarioName, Scenario> = {
  browse: { description: 'catalogue and profile reads (cache hits and misses)', weights: { browse: 1 } },
  'signup-login': { description: 'new users sign up and sign in', weights: { 'signup-login': 1 } },
  checkout: { description: 'orders: inventory, payment, confirmation', weights: { checkout: 1 } },
  mixed: { description: 'browse 60%, checkout 25%, signup+login 10%, bad input 5%', weights: MIXED },
  'bad-input': { description: 'malformed JSON, invalid fields, missing tenant, bad ids', weights: { 'bad-input': 1 } },
  'payments-slow': {
    description: 'payments answers in ~1.5 s: HighLatencyP95 and the latency SLO burn',
    weights: { checkout: 70, browse: 30 },
    fault: { service: 'payments', on: { latency_ms: 1500 }, off: { latency_ms: 40 } },
  },
  'payments-failing': {
    description: 'half of all charges fail at the gateway: HighErrorRate, PaymentFailuresSpike',
    weights: { checkout: 70, browse: 30 },
    fault: { service: 'payments', on: { failure_rate: 0.5 }, off: { failure_rate: 0 } },
  },
  'db-saturation': {
    description: 'every pool connection held by slow queries: DatabaseConnectionsSaturated',
    weights: MIXED,
    fault: { service: 'api', on: { db_saturation: true }, off: { db_saturation: false } },
  },
  'redis-down': {
    description: 'the api loses Redis: DependencyDown (readiness 503, cache and rate limiter degrade)',
    weights: MIXED,
    fault: { service: 'api', on: { redis_down: true }, off: { redis_down: false } },
  },
  'error-storm': { description: 'a client floods the api with bad input: ClientErrorStorm', weights: { 'bad-input': 1 } },
  'new-exception': {
    description: 'every catalogue listing throws a CatalogueMappingError, a type never seen before: NewExceptionType',
    weights: { browse: 1 },
    fault: { service: 'api', path: '/admin/exception-fault', on: { novel_exception: true }, off: { novel_exception: false } },
  },
  'traffic-spike': {
    description: 'the arrival rate jumps to 5× within the first fifth of the run: TrafficSpike',
    weights: MIXED,
    plan: (plan) => ({ ...plan, fromRate: plan.rate, rate: plan.rate * 5, rampSeconds: Math.max(1, plan.durationSeconds / 5) }),
  },
};

/** Picks an action by weight. */
export function weightedPicker(weights: Scenario['weights']): () => ActionName {
  const entries = Object.entries(weights) as Array<[ActionName, number]>;
  const total = entries.reduce((sum, [, w]) => sum + w, 0);
  return () => {
    let roll = Math.random() * total;
    for (const [name, weight] of entries) {
      roll -= weight;
      if (roll < 0) return name;
    }
    return entries[entries.length - 1]![0];
  };
}
