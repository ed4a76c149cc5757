/**
 * What the native agent + gateway stack (gateway-stack.ts) reports: spans per trace at each gateway's
 * sink, span metrics, and the agents' and gateways' own counters.
 */
import { join } from 'node:path';
import { type Agent, AGENTS, type Gateway, GATEWAYS, metricsFile, sinkDir, tracesFile } from './gateway-stack.ts';
import { jsonLines, type Sample, scrape, sleep, spanMetricCalls, spansPerTrace, total } from './gateway-topology.ts';

/** trace id -> spans per gateway, from both sinks. */
export function tracesAtSinks(): Map<string, Record<Gateway, number>> {
  const merged = new Map<string, Record<Gateway, number>>();
  for (const gateway of ['a', 'b'] as const)
    for (const [traceId, count] of spansPerTrace(tracesFile(gateway))) {
      const entry = merged.get(traceId) ?? { a: 0, b: 0 };
      entry[gateway] += count;
      merged.set(traceId, entry);
    }
  return merged;
}

/** Api SERVER calls per route and status in span_metrics, summed over both gateways. */
export function apiServerCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const gateway of ['a', 'b'] as const)
    for (const series of spanMetricCalls(metricsFile(gateway)))
      if (series.service === 'api' && series.spanKind === 'SPAN_KIND_SERVER' && series.route.startsWith('/api/'))
        counts[`${series.route} ${series.statusCode}`] = (counts[`${series.route} ${series.statusCode}`] ?? 0) + series.value;
  return counts;
}

/** Polls `probe` every 250 ms until it returns a value; fails with `describe()` after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  describe: () => string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await sleep(250);
  }
  throw new Error(`${what}: not within ${timeoutMs} ms; ${describe()}`);
}

/** The gateway decided every trace it received, exported them, and its sink wrote every span it sent. */
export async function gatewayDrained(gateway: Gateway): Promise<boolean> {
  const samples = await scrape(GATEWAYS[gateway].metrics);
  const received = total(samples, 'otelcol_processor_tail_sampling_new_trace_id_received');
  const decided = total(samples, 'otelcol_processor_tail_sampling_global_count_traces_sampled');
  const sent = total(samples, 'otelcol_exporter_sent_spans', { exporter: 'otlp_grpc/tempo' });
  const queued = total(samples, 'otelcol_exporter_queue_size', { exporter: 'otlp_grpc/tempo' });
  const written = [...spansPerTrace(tracesFile(gateway)).values()].reduce((a, b) => a + b, 0);
  return decided >= received && queued === 0 && written >= sent;
}

/** The load_balancing counters of each agent. */
export async function agentCounters() {
  return Promise.all(
    (Object.keys(AGENTS) as Agent[]).map(async (agent) => {
      const s: Sample[] = await scrape(AGENTS[agent].metrics);
      const lb = { exporter: 'load_balancing' };
      return {
        agent,
        accepted: total(s, 'otelcol_receiver_accepted_spans', { receiver: 'otlp' }),
        refused: total(s, 'otelcol_receiver_refused_spans', { receiver: 'otlp' }),
        sent: total(s, 'otelcol_exporter_sent_spans', lb),
        sendFailed: total(s, 'otelcol_exporter_send_failed_spans', lb),
        enqueueFailed: total(s, 'otelcol_exporter_enqueue_failed_spans', lb),
        queueSize: total(s, 'otelcol_exporter_queue_size', { ...lb, data_type: 'traces' }),
        queueCapacity: total(s, 'otelcol_exporter_queue_capacity', { ...lb, data_type: 'traces' }),
        failedExports: Object.fromEntries(
          s
            .filter((x) => x.name === 'otelcol_loadbalancer_backend_outcome' && x.labels.success === 'false')
            .map((x) => [x.labels.endpoint, x.value]),
        ),
      };
    }),
  );
}

export const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

/**
 * Trace ids a user can click from each gateway's sink: exemplars of every span-metrics series
 * (what Grafana draws on a latency panel) and trace ids of log records (Loki's "Trace" link).
 */
export function linkedTraceIds(): { exemplars: Set<string>; logs: Set<string> } {
  const exemplars = new Set<string>();
  const logs = new Set<string>();
  for (const gateway of ['a', 'b'] as const) {
    for (const request of jsonLines(metricsFile(gateway)))
      for (const rm of request.resourceMetrics ?? [])
        for (const sm of rm.scopeMetrics ?? [])
          for (const metric of sm.metrics ?? [])
            for (const point of (metric.histogram ?? metric.sum)?.dataPoints ?? [])
              for (const exemplar of point.exemplars ?? []) if (exemplar.traceId) exemplars.add(exemplar.traceId);
    for (const request of jsonLines(join(sinkDir, gateway, 'logs.jsonl')))
      for (const rl of request.resourceLogs ?? [])
        for (const sl of rl.scopeLogs ?? []) for (const record of sl.logRecords ?? []) if (record.traceId) logs.add(record.traceId);
  }
  return { exemplars, logs };
}
