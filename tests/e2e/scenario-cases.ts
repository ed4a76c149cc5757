/**
 * The failure scenarios of tests/e2e/scenarios.test.ts: which alerts each load-generator scenario
 * must drive (in waves whose faults do not touch each other's signals), and the tools the platform
 * faults use.
 */
import { builtTool } from '../helpers/build-tools.ts';

export interface Check {
  alert: string;
  /** Labels the expression's result must carry (the series the fault is about). */
  series: Record<string, string>;
}
export interface Case extends Check {
  scenario: string;
  rate: number;
  /** Further alerts the same fault drives. */
  also?: Check[];
}
export const checksOf = (c: Case): Check[] => [c, ...(c.also ?? [])];
export const API = { service_name: 'api' };

export const WAVES: Case[][] = [
  // First: the first 5xx of the run (the availability SLO's long windows remember them for hours),
  // and no slow request (payments fail fast, the catalogue throws at once).
  [
    {
      scenario: 'payments-failing',
      alert: 'PaymentFailuresSpike',
      series: {},
      rate: 15,
      also: [
        { alert: 'HighErrorRate', series: API },
        { alert: 'ApiAvailabilityFastBurn', series: { slo: 'api-availability' } },
        { alert: 'ApiAvailabilitySlowBurn', series: { slo: 'api-availability' } },
      ],
    },
    // The new exception type fails catalogue listings only, which no checkout needs.
    {
      scenario: 'new-exception',
      alert: 'NewExceptionType',
      series: { service_name: 'api', exception_type: 'CatalogueMappingError' },
      rate: 10,
    },
  ],
  // Slow answers from payments add no 4xx, and the storm's fast 4xx leave enough slow checkouts for
  // p95; the first slow requests of the run (the latency SLO's windows).
  [
    {
      scenario: 'payments-slow',
      alert: 'HighLatencyP95',
      series: API,
      rate: 15,
      also: [
        { alert: 'ApiLatencyFastBurn', series: { slo: 'api-latency' } },
        { alert: 'ApiLatencySlowBurn', series: { slo: 'api-latency' } },
      ],
    },
    { scenario: 'error-storm', alert: 'ClientErrorStorm', series: API, rate: 15 },
  ],
  // The Redis outage is the full-chain case: critical (10 s group wait) and `for: 1m`, the shortest.
  // Alone: without Redis no session can be opened, so another scenario's load generator could not sign in.
  [{ scenario: 'redis-down', alert: 'DependencyDown', series: { service_name: 'api', dependency: 'redis' }, rate: 10 }],
  // Last: held connections slow every api request (HighLatencyP95 for 5 minutes) and block orders
  // before they reach payments.
  [{ scenario: 'db-saturation', alert: 'DatabaseConnectionsSaturated', series: API, rate: 10 }],
];
export const FULL_CHAIN = 'DependencyDown';

/** telemetrygen of scripts/build-tools.sh's cache (built with the other Go tools). */
export const telemetrygen = (): string => builtTool('TELEMETRYGEN_BIN');
