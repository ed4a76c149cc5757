import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess } from '../helpers/service-process.ts';
import { driveLoad, type LoadStats } from './drive-load.ts';
import { ADMIN_TOKEN, API_URL, PAYMENTS_URL, startNativeStack, stopNativeStack } from './native-stack.ts';
import { alertmanagerAlerts, prometheusAlerts } from './prometheus-api.ts';
import { until } from './until.ts';

/** Waits for an alert condition, polling every 2 s. */
const waitFor = (what: string, check: () => Promise<boolean>, timeoutMs: number) => until(what, check, Boolean, timeoutMs, 2_000);

/**
 * Every failure scenario of the load generator, run for real on the native stack: it must drive
 * its runbook's alert to firing in Prometheus and into Alertmanager, and the alert must resolve
 * once the scenario has switched its fault off. Scenarios run one after the other (each needs the
 * `for:` of its alert); resolutions are awaited together at the end, while later scenarios run.
 */
const SCENARIOS: Array<{ scenario: string; alert: string; service?: string; fault: boolean; args: string[] }> = [
  { scenario: 'redis-down', alert: 'DependencyDown', fault: true, args: ['--rate', '10'] },
  { scenario: 'db-saturation', alert: 'DatabaseConnectionsSaturated', fault: true, args: ['--rate', '10'] },
  { scenario: 'payments-failing', alert: 'PaymentFailuresSpike', fault: true, args: ['--rate', '15'] },
  { scenario: 'error-storm', alert: 'ClientErrorStorm', fault: false, args: ['--rate', '15'] },
  { scenario: 'payments-slow', alert: 'HighLatencyP95', service: 'api', fault: true, args: ['--rate', '15'] },
  // Last: the spike is measured against the hour before it, so it needs history. (Checkout-heavy
  // scenarios can make payments' own traffic "spike" too: only the api's alert counts here.)
  { scenario: 'traffic-spike', alert: 'TrafficSpike', service: 'api', fault: false, args: ['--rate', '20', '--duration', '6m'] },
];

const baseline = new AbortController();
const stats: LoadStats = { requests: 0, byStatus: {} };
let baselineRun: Promise<void>;
const resolutions: Array<Promise<void>> = [];

const matches = (labels: Record<string, string>, alert: string, service?: string) =>
  labels.alertname === alert && (service === undefined || labels.service_name === service);
const firingInPrometheus = async (alert: string, service?: string) =>
  (await prometheusAlerts()).some((a) => matches(a.labels, alert, service) && a.state === 'firing');
const inAlertmanager = async (alert: string, service?: string) =>
  (await alertmanagerAlerts()).some(
    (a) => matches(a.labels, alert, service) && (a.status.state === 'active' || a.status.state === 'suppressed'),
  );
const goneFromPrometheus = async (alert: string, service?: string) =>
  !(await prometheusAlerts()).some((a) => matches(a.labels, alert, service));

beforeAll(() => {
  startNativeStack();
  // Steady traffic underneath every scenario, as a real shop has.
  baselineRun = driveLoad(API_URL, 8, baseline.signal, stats);
  // Surfaced by the last test rather than as an unhandled rejection in the middle of the run.
  baselineRun.catch(() => {});
}, 240_000);

afterAll(async () => {
  baseline.abort();
  await baselineRun?.catch(() => {});
  stopNativeStack();
}, 120_000);

describe('failure scenarios fire their runbook alerts', () => {
  for (const { scenario, alert, service, fault, args } of SCENARIOS) {
    it(`${scenario} fires ${alert} into Alertmanager`, async () => {
      // Cause, then effect: the alert must not be active before the scenario starts.
      await waitFor(`${alert} inactive before ${scenario}`, () => goneFromPrometheus(alert, service), 600_000);
      const loadgen = new ServiceProcess('loadgen', {
        OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4317',
        OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=native',
        ADMIN_TOKEN,
        PAYMENTS_URL,
      }).start(['--scenario', scenario, '--duration', '20m', '--users', '2', ...args]);
      try {
        const started = Date.now();
        await waitFor(`${alert} firing in Prometheus`, () => firingInPrometheus(alert, service), 600_000);
        const firedAfter = Date.now() - started;
        await waitFor(`${alert} received by Alertmanager`, () => inAlertmanager(alert, service), 120_000);
        console.log(`${scenario}: ${alert} firing after ${Math.round(firedAfter / 1000)} s`);
      } finally {
        // Ctrl-C: the load generator switches its fault off and still prints its summary.
        const code = await loadgen.stop('SIGINT', 60_000);
        expect(loadgen.output.join('\n')).toMatch(/thresholds/);
        expect([0, 1]).toContain(code);
      }
      if (fault) expect(loadgen.output.join('\n')).toMatch(/fault off/);
      const cleared = Date.now();
      resolutions.push(
        waitFor(`${alert} resolved`, () => goneFromPrometheus(alert, service), 900_000).then(() =>
          console.log(`${scenario}: ${alert} resolved ${Math.round((Date.now() - cleared) / 1000)} s after the fault was cleared`),
        ),
      );
    }, 1_500_000);
  }

  it('resolves every alert once its fault is cleared', async () => {
    const results = await Promise.allSettled(resolutions);
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    expect(resolutions).toHaveLength(SCENARIOS.length);
    baseline.abort();
    await expect(baselineRun, 'the baseline traffic ran throughout').resolves.toBeUndefined();
  }, 960_000);
});
