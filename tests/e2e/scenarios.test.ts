import { spawn } from 'node:child_process';
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
import { API, checksOf, FULL_CHAIN, telemetrygen, WAVES, type Case, type Check } from './scenario-cases.ts';

/**
 * Every failure scenario of the load generator, run for real on the native stack, must drive its
 * runbook alert's expression (read from prometheus/rules, evaluated through the Prometheus API)
 * true for the right series, having been false just before. How long the expression must hold
 * (`for:`) is proven by the promtool unit tests in prometheus/tests. One scenario goes all the way:
 * firing in Prometheus, active in Alertmanager, delivered to the worker's webhook, then resolved.
 *
 * Scenarios whose faults do not touch each other's signals run together (one wave); a wave starts
 * only when every expression of it is false. A scenario may drive several alerts (`also`), each
 * checked the same way. After the waves, the platform faults: a hung Tempo under a burst of spans
 * (TelemetryPipelineDropping) and a hung Collector (OtelCollectorDown, ServiceDown of every service).
 *
 * NoTraffic is proved silent at the start, on an api that is up, exporting, and has served nothing
 * but health probes: a plain `docker compose up` without the load profile shows no standing warning
 * (the rule asks for traffic in the last 24 h that then stopped), and silent once traffic flows. Its
 * firing case (10 minutes without requests after traffic) and TrafficSpike (compares with the average
 * of the hour before and needs 30 minutes of it) outlast a test run: their runbooks' commands produce
 * them on a running stack, and prometheus/tests/alerts-http.yml proves both expressions, firing and silent.
 */
const baseline = new AbortController();
const stats: LoadStats = { requests: 0, byStatus: {}, okByAction: {} };
let baselineRun: Promise<void>;
let resolved: Promise<void> | undefined;
let workerLog: string;

const matches = (labels: Record<string, string>, want: Record<string, string>) =>
  Object.entries(want).every(([key, value]) => labels[key] === value);
const exprSeries = async ({ alert, series }: Check): Promise<Sample[]> =>
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

const NO_TRAFFIC: Check = { alert: 'NoTraffic', series: API };
let noTrafficBeforeLoad: Sample[] = [];

beforeAll(async () => {
  startNativeStack();
  workerLog = join(nativeStackState(), 'logs/worker.log');
  // Before any traffic: the api's own metrics (and its health-probe requests) are in Prometheus, so
  // an empty answer would be about requests, not about a broken pipeline.
  await until(
    'api process metrics in Prometheus',
    () => query('{__name__=~"(process|nodejs|v8js)_.+", service_name="api"}'),
    (s) => s.length > 0,
    120_000,
    2_000,
  );
  noTrafficBeforeLoad = await exprSeries(NO_TRAFFIC);
  // Steady traffic underneath every scenario, as a real shop has.
  baselineRun = driveLoad(API_URL, 8, baseline.signal, stats);
  // Surfaced by the last test rather than as an unhandled rejection in the middle of the run.
  baselineRun.catch(() => {});
  // "False before the fault" means something only once the inputs of the expressions exist, the
  // api's request rate (a recording rule) last.
  for (const input of [
    'shop_dependency_up{service_name="api"}',
    'shop_orders_total',
    'db_client_connection_max{service_name="api"}',
    'service:http_server_requests:rate5m{service_name="api"}',
  ]) {
    await until(
      `${input} in Prometheus`,
      () => query(input),
      (s) => s.length > 0,
      120_000,
      2_000,
    );
  }
}, 300_000);

afterAll(async () => {
  baseline.abort();
  await baselineRun?.catch(() => {});
  stopNativeStack();
}, 120_000);

describe('failure scenarios drive their runbook alerts', () => {
  it('NoTraffic: silent for an idle api that has served only health probes, and once requests flow', async () => {
    expect(noTrafficBeforeLoad, 'NoTraffic expression before the first request').toEqual([]);
    await until(
      'NoTraffic expression false under the baseline traffic',
      () => exprSeries(NO_TRAFFIC),
      (s) => s.length === 0,
      120_000,
      2_000,
    );
  });

  WAVES.forEach((wave, index) => {
    const names = wave
      .map(
        (c) =>
          `${c.scenario} → ${checksOf(c)
            .map((check) => check.alert)
            .join(' + ')}`,
      )
      .join(', ');
    it(`wave ${index + 1}: ${names}`, async () => {
      // Cause, then effect: each expression is false for its series before its fault starts.
      await Promise.all(
        wave.flatMap((c) =>
          checksOf(c).map((check) =>
            until(
              `${check.alert} expression false before ${c.scenario}`,
              () => exprSeries(check),
              (s) => s.length === 0,
              360_000,
              5_000,
            ),
          ),
        ),
      );
      const runs = wave.map((c) => ({ c, loadgen: startScenario(c), started: Date.now() }));
      const results = await Promise.allSettled(
        runs.map(async ({ c, loadgen, started }) => {
          try {
            await Promise.all(
              checksOf(c).map(async (check) => {
                await until(
                  `${check.alert} expression true during ${c.scenario}`,
                  () => exprSeries(check),
                  (s) => s.length > 0,
                  300_000,
                  2_000,
                );
                console.log(`${c.scenario}: ${check.alert} expression true after ${Math.round((Date.now() - started) / 1000)} s`);
              }),
            );
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
    // The 30-day budget rules run every 5 minutes: the first 5xx of the run reach them at the next one.
    const { checked, failures, summary } = await until(
      'every query of docs/ answered',
      unansweredDocQueries,
      (r) => r.failures.length === 0,
      330_000,
      15_000,
    ).catch(() => unansweredDocQueries());
    expect(checked).toBeGreaterThan(80);
    expect(failures).toEqual([]);
    console.log(summary);
  }, 720_000);

  it('platform faults: a hung Tempo under a burst drops telemetry (TelemetryPipelineDropping); a hung Collector (OtelCollectorDown, ServiceDown)', async () => {
    const pidOf = (name: string) => Number(readFileSync(join(nativeStackState(), `pids/${name}.pid`), 'utf8').trim());
    const dropping: Check = { alert: 'TelemetryPipelineDropping', series: { signal: 'spans' } };
    const collectorDown: Check = { alert: 'OtelCollectorDown', series: { job: 'otel-collector' } };
    const servicesDown: Check[] = ['api', 'payments', 'worker'].map((name) => ({ alert: 'ServiceDown', series: { service_name: name } }));
    const falseBefore = (check: Check) =>
      until(
        `${check.alert} expression false before`,
        () => exprSeries(check),
        (s) => s.length === 0,
        120_000,
        5_000,
      );
    const trueDuring = async (check: Check, started: number) => {
      await until(
        `${check.alert} expression true`,
        () => exprSeries(check),
        (s) => s.length > 0,
        240_000,
        2_000,
      );
      console.log(
        `platform: ${check.alert} ${JSON.stringify(check.series)} expression true after ${Math.round((Date.now() - started) / 1000)} s`,
      );
    };
    await Promise.all([dropping, collectorDown, ...servicesDown].map(falseBefore));

    // Tempo hung (its stand-in stopped, not killed: requests time out instead of being refused) while a
    // burst of spans larger than the Tempo exporter's queue (20,000) arrives: the queue fills and the
    // Collector refuses the rest, counted in otelcol_exporter_enqueue_failed_spans.
    const sink = pidOf('sink');
    process.kill(sink, 'SIGSTOP');
    const burstStarted = Date.now();
    const burst = spawn(
      telemetrygen(),
      // Paced (4 × 1,000 traces of 2 spans a second): unpaced, telemetrygen's own batch queue drops most of them.
      [
        'traces',
        '--otlp-insecure',
        '--otlp-endpoint',
        '127.0.0.1:4317',
        '--duration',
        '90s',
        '--child-spans',
        '1',
        '--rate',
        '1000',
        '--workers',
        '4',
        '--service',
        'burst',
      ],
      { stdio: 'ignore' },
    );
    try {
      await trueDuring(dropping, burstStarted);
    } finally {
      burst.kill('SIGKILL');
      process.kill(sink, 'SIGCONT');
    }

    // The Collector hung: Prometheus cannot scrape it, and no service's metrics arrive any more.
    const collector = pidOf('collector');
    process.kill(collector, 'SIGSTOP');
    const hungAt = Date.now();
    try {
      await Promise.all([collectorDown, ...servicesDown].map((check) => trueDuring(check, hungAt)));
    } finally {
      process.kill(collector, 'SIGCONT');
    }
  }, 600_000);

  it(`resolves ${FULL_CHAIN} at the worker once its fault is cleared, with the baseline running throughout`, async () => {
    expect(resolved, `${FULL_CHAIN} reached the worker`).toBeDefined();
    await resolved;
    baseline.abort();
    await expect(baselineRun, 'the baseline traffic ran throughout').resolves.toBeUndefined();
    expect(stats.requests).toBeGreaterThan(100);
  }, 660_000);
});
