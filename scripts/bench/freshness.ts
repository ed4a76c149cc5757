/**
 * Part 3, freshness: how long after a request its telemetry can be seen downstream of the Collector.
 * The real api (with the `--import ./src/instrumentation.ts` bootstrap and the kit's defaults) and
 * the kit's Collector config (bench-stack.ts) get one GET /api/products at a time, spaced out, each
 * with a W3C traceparent of our own, so its trace id is known before it is sent. Measured from the
 * moment the request is sent:
 *   - trace: its spans reach the sink Collector (the Tempo stand-in), matched by trace id;
 *   - log:   its `request_completed` record reaches the sink (the Loki stand-in), by trace id;
 *   - metric: the api's http.server.request.duration count in a real Prometheus (OTLP receiver)
 *     reaches the number of requests sent so far.
 * The sink flushes its files every 50 ms and is polled every 25 ms; Prometheus every 100 ms: the
 * measurement adds at most ~0.1 s.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { BenchStack, STACK_PORTS } from './bench-stack.ts';
import { CounterWatcher, TraceIdWatcher } from './freshness-watchers.ts';
import { sleep } from './processes.ts';
import type { BenchPart } from './report.ts';

const WARM_UP = 3;
const METRIC_QUERY = 'sum(http_server_request_duration_seconds_count{service_name="api", http_route="/api/products"})';

export const run: BenchPart = async (options) => {
  const requests = options.smoke ? 10 : 60;
  // Not a divisor of the 10 s metric export interval, so requests fall at every phase of it.
  const spacingMs = options.smoke ? 600 : 1300;
  // Smoke runs only prove the numbers come out: a 2 s metric interval keeps them short.
  const metricInterval = options.smoke ? '2000' : undefined;
  const stack = new BenchStack({
    root: options.root,
    tools: options.tools,
    only: ['sink', 'prometheus', 'collector', 'api'],
    sinkFlush: '50ms',
    serviceEnv: metricInterval ? { OTEL_METRIC_EXPORT_INTERVAL: metricInterval } : {},
  });
  const sent: { traceId: string; at: number; latencyMs: number }[] = [];
  let traces: TraceIdWatcher | undefined;
  let logs: TraceIdWatcher | undefined;
  let metric: CounterWatcher | undefined;
  try {
    await stack.start();
    const api = `http://127.0.0.1:${STACK_PORTS.api}`;
    traces = new TraceIdWatcher(join(stack.sinkDir, 'traces.jsonl'));
    logs = new TraceIdWatcher(join(stack.sinkDir, 'logs.jsonl'));
    metric = new CounterWatcher(`http://127.0.0.1:${STACK_PORTS.prometheus}`, METRIC_QUERY);
    // Warm-up: the first requests fill caches and connection pools; they count towards the metric.
    for (let i = 0; i < WARM_UP; i++) await get(api, newTraceId());
    console.log(`[freshness] ${requests} requests, one every ${spacingMs} ms`);
    for (let i = 0; i < requests; i++) {
      const traceId = newTraceId();
      traces.expect(traceId);
      logs.expect(traceId);
      const at = performance.now();
      await get(api, traceId);
      sent.push({ traceId, at, latencyMs: performance.now() - at });
      await sleep(Math.max(0, at + spacingMs - performance.now()));
    }
    // Everything should be there one metric interval (10 s) plus batching later; allow double.
    const deadline = performance.now() + (options.smoke ? 8000 : 25_000);
    while (performance.now() < deadline) {
      const done = sent.every((r, i) => traces!.seen.has(r.traceId) && logs!.seen.has(r.traceId) && metric!.reached.has(WARM_UP + i + 1));
      if (done) break;
      await sleep(200);
    }
  } finally {
    traces?.stop();
    logs?.stop();
    metric?.stop();
    await stack.stop();
  }
  const delays = {
    trace: sent.map((r) => traces!.seen.get(r.traceId)).map((t, i) => (t === undefined ? undefined : (t - sent[i]!.at) / 1000)),
    log: sent.map((r) => logs!.seen.get(r.traceId)).map((t, i) => (t === undefined ? undefined : (t - sent[i]!.at) / 1000)),
    metric: sent
      .map((_, i) => metric!.reached.get(WARM_UP + i + 1))
      .map((t, i) => (t === undefined ? undefined : (t - sent[i]!.at) / 1000)),
  };
  const latency = sent.map((r) => r.latencyMs);
  const numbers: Record<string, unknown> = {
    requests,
    spacing_ms: spacingMs,
    request_latency_p50_ms: round(quantile(latency, 0.5) ?? 0, 1),
  };
  const rows: string[] = [];
  const targets = { trace: 5, log: 5, metric: 15 };
  for (const [hop, values] of Object.entries(delays) as [keyof typeof delays, (number | undefined)[]][]) {
    const found = values.filter((v): v is number => v !== undefined);
    const [p50, p99, max] = [quantile(found, 0.5), quantile(found, 0.99), found.length ? Math.max(...found) : undefined];
    numbers[`${hop}_p50_s`] = round(p50 ?? 0, 2);
    numbers[`${hop}_p99_s`] = round(p99 ?? 0, 2);
    numbers[`${hop}_max_s`] = round(max ?? 0, 2);
    numbers[`${hop}_found`] = found.length;
    const ok = p99 !== undefined && found.length === values.length && p99 <= targets[hop];
    rows.push(
      `| ${HOPS[hop]} | ${found.length}/${values.length} | ${s(p50)} | ${s(p99)} | ${s(max)} | ≤ ${targets[hop]} s ${ok ? 'met' : 'NOT met'} |`,
    );
  }
  const markdown = [
    `${requests} requests (\`GET /api/products\`, one every ${spacingMs} ms after ${WARM_UP} warm-up requests) to one api process`,
    "started with the `--import ./src/instrumentation.ts` bootstrap, exporting to the kit's Collector config (native-stack wiring,",
    'own ports); time from sending the request until its telemetry is seen downstream of the Collector.',
    metricInterval ? `Smoke run: metric export interval shortened to ${metricInterval} ms (the kit's default is 10 s).` : '',
    '',
    '| from request sent to … | seen | median | p99 | max | target |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...rows,
    '',
    `Request latency (client side) median ${round(quantile(latency, 0.5) ?? 0, 1)} ms.`,
  ]
    .filter((line, i, all) => line !== '' || all[i - 1] !== '')
    .join('\n');
  return { part: 'freshness', title: 'Freshness: request → telemetry downstream', markdown, numbers };
};

const HOPS = {
  trace: 'its spans leave the Collector (sink, by trace id)',
  log: 'its log record leaves the Collector (sink, by trace id)',
  metric: 'the request counter in Prometheus counts it',
};

const newTraceId = () => randomBytes(16).toString('hex');

async function get(api: string, traceId: string): Promise<void> {
  const response = await fetch(`${api}/api/products`, {
    headers: { 'x-tenant-id': 'acme', traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  await response.arrayBuffer();
  if (!response.ok) throw new Error(`GET /api/products answered ${response.status}`);
}

function quantile(values: number[], q: number): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
}

const round = (n: number, digits: number) => Math.round(n * 10 ** digits) / 10 ** digits;
const s = (n: number | undefined) => (n === undefined ? '-' : `${n.toFixed(2)} s`);
