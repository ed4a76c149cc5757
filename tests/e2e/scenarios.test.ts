import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ServiceProcess } from '../helpers/service-process.ts';
import { alertRule } from './alert-rules.ts';
import { driveLoad, type LoadStats } from './drive-load.ts';
import { ADMIN_TOKEN, API_URL, nativeStackState, PAYMENTS_URL, startNativeStack, stopNativeStack } from './native-stack.ts';
import { alertmanagerAlerts, prometheusAlerts, query, rules, type Sample } from './prometheus-api.ts';
import { unansweredDocQueries } from './docs-queries.ts';
import { until } from './until.ts';

/**
 * Every failure scenario of the load generator, run for real on the native stack, must drive its
 * runbook alert's expression (read from prometheus/rules, evaluated through the Prometheus API)
 * true for the right series, having been false just before. How long the expression must hold
 * (`for:`) is proven by the promtool unit tests in prometheus/tests. One scenario goes all the way:
 * firing in Prometheus, active in Alertmanager, delivered to the worker's webhook, then resolved.
 *
 * Scenarios whose faults do not touch each other's signals run together (one wave); a wave starts
 * only when every expression of it is false. Not here: TrafficSpike, whose expression compares with
 * the average of the hour before and needs 30 minutes of it, which a Prometheus started minutes ago
 * does not have (prometheus/tests/alerts-http.yml proves both the spike and the silence on a young
 * stack).
 */
interface Case {
  scenario: string;
  alert: string;
  /** Labels the expression's result must carry (the series the fault is about). */
  series: Record<string, string>;
  rate: number;
}

const WAVES: Case[][] = [
  // The Redis outage is the full-chain case: critical (10 s group wait) and `for: 1m`, the shortest.
  // Alone: without Redis no session can be opened, so another scenario's load generator could not sign in.
  [{ scenario: 'redis-down', alert: 'DependencyDown', series: { service_name: 'api', dependency: 'redis' }, rate: 10 }],
  // Slow answers from payments add no 4xx, and the storm's fast 4xx leave enough slow checkouts for p95.
  [
    { scenario: 'payments-slow', alert: 'HighLatencyP95', series: { service_name: 'api' }, rate: 15 },
    { scenario: 'error-storm', alert: 'ClientErrorStorm', series: { service_name: 'api' }, rate: 15 },
  ],
  // The new exception type fails catalogue listings only, which no checkout needs.
  [
    { scenario: 'payments-failing', alert: 'PaymentFailuresSpike', series: {}, rate: 15 },
    {
      scenario: 'new-exception',
      alert: 'NewExceptionType',
      series: { service_name: 'api', exception_type: 'CatalogueMappingError' },
      rate: 10,
    },
  ],
  // Last: held connections slow every api request (HighLatencyP95 for 5 minutes) and block orders
  // before they reach payments.
  [{ scenario: 'db-saturation', alert: 'DatabaseConnectionsSaturated', series: { service_name: 'api' }, rate: 10 }],
];
const FULL_CHAIN = 'DependencyDown';

const baseline = new AbortController();
const stats: LoadStats = { requests: 0, byStatus: {}, okByAction: {} };
let baselineRun: Promise<void>;
let resolved: Promise<void> | undefined;
let workerLog: string;

const matches = (labels: Record<string, string>, want: Record<string, string>) =>
  Object.entries(want).every(([key, value]) => labels[key] === value);
const exprSeries = async ({ alert, series }: Case): Promise<Sample[]> =>
  (await query(alertRule(alert).expr)).filter((s) => matches(s.metric, series));
const loggedByWorker = (event: string, alert: string) =>
  readFileSync(workerLog, 'utf8')
    .split('\n')
    .some((line) => line.includes(`"${event}"`) && line.includes(`"alertname":"${alert}"`));

function startScenario({ scenario, rate }: Case): ServiceProcess {
  return new ServiceProcess('loadgen', {
    OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
    OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=native',
    ADMIN_TOKEN,
    PAYMENTS_URL,
  }).start(['--scenario', scenario, '--duration', '20m', '--users', '2', '--rate', String(rate)]);
}

/** Prometheus → Alertmanager → worker webhook, while the fault is still on. */
async function followToWorker(c: Case): Promise<void> {
  const firing = (a: { labels: Record<string, string>; state?: string }) => a.labels.alertname === c.alert && matches(a.labels, c.series);
  await until(
    `${c.alert} firing in Prometheus`,
    prometheusAlerts,
    (alerts) => alerts.some((a) => firing(a) && a.state === 'firing'),
    180_000,
    2_000,
  );
  await until(
    `${c.alert} active in Alertmanager`,
    alertmanagerAlerts,
    (alerts) => alerts.some((a) => firing(a) && a.status.state === 'active'),
    60_000,
    2_000,
  );
  await until(`${c.alert} received by the worker`, async () => loggedByWorker('alert_firing', c.alert), Boolean, 60_000, 1_000);
}

beforeAll(async () => {
  startNativeStack();
  workerLog = join(nativeStackState(), 'logs/worker.log');
  // Steady traffic underneath every scenario, as a real shop has.
  baselineRun = driveLoad(API_URL, 8, baseline.signal, stats);
  // Surfaced by the last test rather than as an unhandled rejection in the middle of the run.
  baselineRun.catch(() => {});
  // "False before the fault" means something only once the inputs of the expressions exist.
  for (const input of ['shop_dependency_up{service_name="api"}', 'shop_orders_total', 'db_client_connection_max{service_name="api"}']) {
    await until(
      `${input} in Prometheus`,
      () => query(input),
      (s) => s.length > 0,
      120_000,
      2_000,
    );
  }
  await until(
    'api request rate',
    () => query('service:http_server_requests:rate5m{service_name="api"}'),
    (s) => s.length > 0,
    120_000,
    2_000,
  );
}, 300_000);

afterAll(async () => {
  baseline.abort();
  await baselineRun?.catch(() => {});
  stopNativeStack();
}, 120_000);

describe('failure scenarios drive their runbook alerts', () => {
  WAVES.forEach((wave, index) => {
    const names = wave.map((c) => `${c.scenario} → ${c.alert}`).join(', ');
    it(`wave ${index + 1}: ${names}`, async () => {
      // Cause, then effect: each expression is false for its series before its fault starts.
      await Promise.all(
        wave.map((c) =>
          until(
            `${c.alert} expression false before ${c.scenario}`,
            () => exprSeries(c),
            (s) => s.length === 0,
            360_000,
            5_000,
          ),
        ),
      );
      const runs = wave.map((c) => ({ c, loadgen: startScenario(c), started: Date.now() }));
      const results = await Promise.allSettled(
        runs.map(async ({ c, loadgen, started }) => {
          try {
            await until(
              `${c.alert} expression true during ${c.scenario}`,
              () => exprSeries(c),
              (s) => s.length > 0,
              300_000,
              2_000,
            );
            console.log(`${c.scenario}: ${c.alert} expression true after ${Math.round((Date.now() - started) / 1000)} s`);
            if (c.alert === FULL_CHAIN) {
              await followToWorker(c);
              console.log(`${c.scenario}: ${c.alert} at the worker's webhook after ${Math.round((Date.now() - started) / 1000)} s`);
            }
          } finally {
            // Ctrl-C: the load generator switches its fault off and still prints its summary.
            const code = await loadgen.stop('SIGINT', 60_000);
            expect(loadgen.output.join('\n')).toMatch(/thresholds/);
            expect([0, 1]).toContain(code);
          }
          if (c.alert === FULL_CHAIN) {
            expect(loadgen.output.join('\n')).toMatch(/fault off/);
            // Resolution is awaited at the end, while the other waves run.
            resolved = until(
              `${c.alert} resolved at the worker`,
              async () => loggedByWorker('alert_resolved', c.alert),
              Boolean,
              600_000,
              2_000,
            ).then(() => undefined);
            resolved.catch(() => {});
          }
        }),
      );
      expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    }, 900_000);
  });

  // Last, when every scenario has left its traces (5xx, failed payments, a saturated pool) and even
  // the 5-minute error-budget group has been evaluated.
  it('answers every query of docs/ with data (a condition: each of its inputs), or names why it cannot', async () => {
    await until('every recording rule evaluated', rules, (all) => all.every((r) => !r.lastEvaluation.startsWith('0001')), 300_000, 5_000);
    const { checked, failures, summary } = await unansweredDocQueries();
    expect(checked).toBeGreaterThan(80);
    expect(failures).toEqual([]);
    console.log(summary);
  }, 360_000);

  it(`resolves ${FULL_CHAIN} at the worker once its fault is cleared, with the baseline running throughout`, async () => {
    expect(resolved, `${FULL_CHAIN} reached the worker`).toBeDefined();
    await resolved;
    baseline.abort();
    await expect(baselineRun, 'the baseline traffic ran throughout').resolves.toBeUndefined();
    expect(stats.requests).toBeGreaterThan(100);
  }, 660_000);
});
