import type { ExpectedAlerts } from './alert-names.ts';
import { checkAlertmanager } from './alertmanager.ts';
import type { VerifyOptions } from './args.ts';
import { CHECKS, notChecked, type Backend, type CheckId, type CheckResult } from './check.ts';
import { checkCollectorHealth, checkCollectorPipeline, readCollectorCounters } from './collector.ts';
import { checkGrafanaDashboards, checkGrafanaDatasources } from './grafana.ts';
import type { HttpGet } from './http-get.ts';
import { logsAttempt } from './loki.ts';
import { pollUntil, type Attempt, type Clock } from './poll.ts';
import { checkAlertRules } from './prometheus-rules.ts';
import { metricsAttempt, readProbeCount } from './prometheus-metrics.ts';
import { newProbeIds, sendProbe, type ProbeIds } from './probe.ts';
import { tracesAttempt } from './tempo.ts';

export interface RunDeps {
  get: HttpGet;
  clock: Clock;
  /** Fixed ids for tests; fresh random ones otherwise. */
  ids?: ProbeIds;
  /** Progress lines for people (stderr); the report itself is returned. */
  log?: (line: string) => void;
}

/** What `npm run verify` found: the probe's ids and one result per check, in report order. */
export interface Report {
  probe?: ProbeIds & { url: string; tenant: string };
  backends: Backend[];
  timeoutMs: number;
  results: CheckResult[];
}

type Options = Pick<VerifyOptions, 'urls' | 'backends' | 'timeoutMs' | 'intervalMs' | 'tenant' | 'grafana'>;

const ORDER = Object.keys(CHECKS) as CheckId[];

/**
 * Runs every check: the static ones (Grafana, rules, Alertmanager, Collector health) alongside the
 * probe (after reading the probe route's request count), then polls Tempo, Loki and Prometheus for
 * the probe's telemetry until the timeout, and
 * reads the Collector's loss counters last, so that losses caused by the probe are seen.
 */
export async function runSelfCheck(options: Options, expectedAlerts: ExpectedAlerts, deps: RunDeps): Promise<Report> {
  const { get, clock, log = () => {} } = deps;
  const { urls, backends } = options;
  const has = (backend: Backend) => backends.includes(backend);
  const results = new Map<CheckId, CheckResult>();
  const absent = (id: CheckId) => notChecked(id, `${CHECKS[id].backend} is not in --backends (${backends.join(',')})`);
  for (const id of ORDER) if (CHECKS[id].backend !== 'api' && !has(CHECKS[id].backend as Backend)) results.set(id, absent(id));

  const before = has('collector') ? await readCollectorCounters(get, urls.collectorMetrics).catch(() => undefined) : undefined;
  const statics: Array<Promise<CheckResult>> = [];
  if (has('grafana'))
    statics.push(checkGrafanaDatasources(get, urls.grafana, options.grafana), checkGrafanaDashboards(get, urls.grafana, options.grafana));
  if (has('prometheus')) statics.push(checkAlertRules(get, urls.prometheus, expectedAlerts));
  if (has('alertmanager')) statics.push(checkAlertmanager(get, urls.alertmanager, has('prometheus') ? urls.prometheus : undefined));
  if (has('collector')) statics.push(checkCollectorHealth(get, urls.collectorHealth));
  const staticsDone = Promise.all(statics);

  const signals = (['traces', 'logs', 'metrics'] as const).filter((id) => has(CHECKS[id].backend));
  let probe: Report['probe'];
  if (signals.length === 0) {
    results.set('probe', notChecked('probe', 'no probe needed: tempo, loki and prometheus are not in --backends'));
  } else {
    const ids = deps.ids ?? newProbeIds();
    probe = { ...ids, url: urls.api, tenant: options.tenant };
    // The request count before the probe: the metrics row passes only when it rises.
    const baseline = has('prometheus') ? await readProbeCount(get, urls.prometheus) : undefined;
    const sent = await sendProbe(get, urls.api, options.tenant, ids, clock.now);
    results.set('probe', sent.result);
    if (!sent.answered) {
      for (const id of signals) results.set(id, notChecked(id, 'no probe reached the api (see the probe row)'));
    } else {
      log(`probe sent (trace ${ids.traceId}); waiting up to ${Math.round(options.timeoutMs / 1000)} s for ${signals.join(', ')}`);
      const deadline = sent.startedMs + options.timeoutMs;
      const attempts: Record<(typeof signals)[number], () => Promise<Attempt>> = {
        traces: () => tracesAttempt(get, urls.tempo, ids.traceId),
        logs: () => logsAttempt(get, urls.loki, ids.traceId, sent.startedMs, clock.now()),
        metrics: async () =>
          baseline && 'result' in baseline
            ? { done: true, result: baseline.result }
            : metricsAttempt(get, urls.prometheus, baseline?.count ?? 0),
      };
      const polled = await Promise.all(signals.map((id) => pollUntil(attempts[id], deadline, options.intervalMs, clock)));
      for (const result of polled) results.set(result.id, result);
    }
  }
  for (const result of await staticsDone) results.set(result.id, result);
  if (has('collector')) results.set('collector-pipeline', await checkCollectorPipeline(get, urls.collectorMetrics, before));
  return { ...(probe ? { probe } : {}), backends, timeoutMs: options.timeoutMs, results: ORDER.map((id) => results.get(id)!) };
}
