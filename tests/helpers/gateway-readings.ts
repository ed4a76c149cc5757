/**
 * What the native agent + gateway stack (gateway-stack.ts) reports: spans per trace at each gateway's
 * sink, span metrics, the links that open a trace, and the agents' and gateways' own counters, with
 * the waits until they have settled.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Agent, AGENTS, collectors, type Gateway, GATEWAYS, metricsFile, sinkDir, tracesFile } from './gateway-stack.ts';
import { jsonLines, type Sample, scrape, servicesPerTrace, sleep, spanMetricCalls, spansPerTrace, total } from './gateway-topology.ts';
import type { Sent } from './gateway-traffic.ts';

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

/** The text of one of a sink's files: `traces`, `logs` or `metrics` (.jsonl). */
export const sinkText = (gateway: Gateway, file: string): string => readFileSync(join(sinkDir, gateway, `${file}.jsonl`), 'utf8');

/** trace id -> the service.name of its spans, from both sinks. */
export const servicesAtSinks = (): Map<string, Set<string>> =>
  new Map([...servicesPerTrace(tracesFile('a')), ...servicesPerTrace(tracesFile('b'))]);

/** Traces and spans at each gateway's sink of the requests `arrived` (their traces are at the sinks). */
export function perGateway(
  arrived: Sent[],
  atSinks: Map<string, Record<Gateway, number>>,
): Record<Gateway, { traces: number; spans: number }> {
  const counts = { a: { traces: 0, spans: 0 }, b: { traces: 0, spans: 0 } };
  for (const r of arrived) {
    const at = atSinks.get(r.traceId)!;
    for (const g of ['a', 'b'] as const)
      if (at[g] > 0) {
        counts[g].traces += 1;
        counts[g].spans += at[g];
      }
  }
  return counts;
}

/** What span_metrics must count for `sent`: api SERVER calls per route and status (an answer >= 500 is an error). */
export function expectedApiServerCalls(sent: Sent[]): Record<string, number> {
  const expected: Record<string, number> = {};
  for (const r of sent) {
    const key = `${r.route} ${r.status >= 500 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET'}`;
    expected[key] = (expected[key] ?? 0) + 1;
  }
  return expected;
}

/** Waits until span_metrics count exactly `expected` (apiServerCalls), and returns what they count. */
export const untilSpanMetricsCount = (expected: Record<string, number>): Promise<Record<string, number>> =>
  until(
    'span_metrics count every request',
    () => {
      const counted = apiServerCalls();
      return Object.entries(expected).every(([key, n]) => counted[key] === n) ? counted : undefined;
    },
    () => `expected ${JSON.stringify(expected)}, counted ${JSON.stringify(apiServerCalls())}`,
  );

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

/** Waits until each of `gateways` is drained (gatewayDrained), one after the other. */
export const untilDrained = (...gateways: Gateway[]): Promise<true> =>
  until(
    `${gateways.length === 2 ? 'both gateways' : `gateway ${gateways.join(', ')}`} decided and exported every trace`,
    async () => {
      for (const gateway of gateways) if (!(await gatewayDrained(gateway))) return undefined;
      return true;
    },
    () => '',
  );

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

export type AgentCounters = Awaited<ReturnType<typeof agentCounters>>;

/** How much each load_balancing counter, summed over the agents, grew from `before` to `after`. */
export function counterDeltas(before: AgentCounters, after: AgentCounters) {
  const delta = (key: 'accepted' | 'sent' | 'sendFailed' | 'enqueueFailed' | 'refused') =>
    after.reduce((sum, c) => sum + c[key], 0) - before.reduce((sum, c) => sum + c[key], 0);
  return {
    accepted: delta('accepted'),
    sent: delta('sent'),
    sendFailed: delta('sendFailed'),
    enqueueFailed: delta('enqueueFailed'),
    refused: delta('refused'),
  };
}

/** The agents' failed exports to each gateway (otelcol_loadbalancer_backend_outcome{success="false"}), summed. */
export function failedExports(counters: AgentCounters): Record<Gateway, number> {
  const to = (gateway: Gateway) => counters.reduce((sum, c) => sum + (c.failedExports[`127.0.0.1:${GATEWAYS[gateway].grpc}`] ?? 0), 0);
  return { a: to('a'), b: to('b') };
}

/**
 * Waits until the agents settled, 1.5 s after `loadEnd` at the earliest: every span an agent
 * accepted is either sent or counted as failed, and the queues are empty; returns their counters.
 */
export const untilAgentsSettled = (loadEnd: number) =>
  until(
    'agents settled',
    async () => {
      const counters = await agentCounters();
      return Date.now() - loadEnd > 1_500 && counters.every((c) => c.queueSize === 0 && c.accepted === c.sent + c.sendFailed)
        ? counters
        : undefined;
    },
    () => 'queue or accepted != sent + send_failed',
  );

/** Peak resident memory of each Collector process so far (VmHWM), in MiB, rounded. */
export const peakRssMiB = (): Record<string, number> => Object.fromEntries(collectors.map((c) => [c.name, Math.round(c.peakRssMiB())]));

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

/** Of the links a user clicks (linkedTraceIds), how many open a trace at the sinks (`atSinks`). */
export function linksResolving(atSinks: Map<string, Record<Gateway, number>>) {
  const links = linkedTraceIds();
  const resolving = (ids: Set<string>) => ({ resolved: [...ids].filter((id) => atSinks.has(id)).length, total: ids.size });
  return { exemplars: resolving(links.exemplars), logs: resolving(links.logs) };
}
