/** Traffic mixes, and failure scenarios that each reproduce one runbook's alert. */
export const TRAFFIC_SCENARIOS = ['browse', 'signup-login', 'checkout', 'mixed', 'bad-input'] as const;
export const FAILURE_SCENARIOS = [
  'payments-slow',
  'payments-failing',
  'db-saturation',
  'redis-down',
  'error-storm',
  'traffic-spike',
  'new-exception',
] as const;
export const SCENARIO_NAMES = [...TRAFFIC_SCENARIOS, ...FAILURE_SCENARIOS] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];
