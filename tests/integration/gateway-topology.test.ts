/**
 * The agent + gateway topology (collector/agent.yaml, collector/gateway.yaml; docs/scaling.md), run
 * natively with our Collector build: the real api, payments and worker processes, each exporting to
 * its own agent; three agents routing by trace id (load_balancing, static resolver) to two gateways;
 * each gateway exporting to its own sink Collector (tests/e2e/sink-collector.yaml), which writes what
 * it gets to files. The agents' app metrics go to an in-process OTLP receiver (they bypass the gateways).
 *
 * Proven on real shop traffic (orders cross api -> payments -> worker, so one trace passes all three
 * agents), with the numbers printed:
 * 1. every span of a trace lands on one gateway (a trace with spans in both sinks fails the test);
 * 2. tail sampling keeps every error trace and every trace slower than 0.5 s (the latency SLO) and
 *    about GATEWAY_SAMPLING_PERCENTAGE (25 here) of the rest, within a binomial tolerance, while
 *    span_metrics, computed before sampling, counts exactly the requests that were served;
 * 3. with one gateway stopped under load, the static resolver does not re-route: the traces that hash
 *    to the stopped gateway are lost, the others keep arriving whole, and the agents' own metrics
 *    account for every span (accepted = sent + send_failed) and bound the loss.
 *
 * Ports 18700-18742 (no other test uses them). Test-only overrides: tail sampling decides after 5 s
 * (10 s shipped) and the connectors flush every 2 s (15 s shipped), so the test waits less.
 */
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../helpers/backends.ts';
import { portOverrides } from '../helpers/collector-process.ts';
import {
  newTrace,
  OtelcolProcess,
  quantile,
  type Sample,
  scrape,
  servicesPerTrace,
  sleep,
  spanMetricCalls,
  spansPerTrace,
  total,
} from '../helpers/gateway-topology.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, newSession, TENANT } from '../helpers/shop-client.ts';

const SAMPLING_PERCENTAGE = 25;
const SLO_THRESHOLD_MS = 500;
const ADMIN_TOKEN = 'gateway-topology-admin-token';
// Its own Redis database: the worker's consumer group must see only this test's order stream.
const REDIS_URL = 'redis://127.0.0.1:6379/7';

const SINKS = { a: { grpc: 18700, http: 18701, health: 18702 }, b: { grpc: 18703, http: 18704, health: 18705 } };
const GATEWAYS = { a: { grpc: 18710, health: 18711, metrics: 18712 }, b: { grpc: 18713, health: 18714, metrics: 18715 } };
const AGENTS = {
  api: { grpc: 18720, http: 18721, health: 18722, metrics: 18723 },
  payments: { grpc: 18724, http: 18725, health: 18726, metrics: 18727 },
  worker: { grpc: 18728, http: 18729, health: 18730, metrics: 18731 },
};
const SERVICES = { api: 18740, payments: 18741, worker: 18742 };
const API = `http://127.0.0.1:${SERVICES.api}`;
const PAYMENTS = `http://127.0.0.1:${SERVICES.payments}`;
type Gateway = keyof typeof GATEWAYS;
type Agent = keyof typeof AGENTS;

const sinkDir = mkdtempSync(join(tmpdir(), 'otelkit-gateways-'));
const tracesFile = (gateway: Gateway) => join(sinkDir, gateway, 'traces.jsonl');
const metricsFile = (gateway: Gateway) => join(sinkDir, gateway, 'metrics.jsonl');
const collectors: OtelcolProcess[] = [];
const services: ServiceProcess[] = [];
const gateways = {} as Record<Gateway, OtelcolProcess>;
const agents = {} as Record<Agent, OtelcolProcess>;
const appMetrics = new OtlpJsonReceiver();
let token = '';
let email = '';

const start = (collector: OtelcolProcess) => {
  collectors.push(collector);
  return collector;
};

beforeAll(async () => {
  const redis = createClient({ url: REDIS_URL });
  await redis.connect();
  await redis.flushDb();
  await redis.close();
  const appMetricsUrl = await appMetrics.start();

  for (const [name, ports] of Object.entries(SINKS))
    start(
      new OtelcolProcess(`sink ${name}`, ['--config', 'tests/e2e/sink-collector.yaml'], {
        SINK_DIR: join(sinkDir, name),
        SINK_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
        SINK_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
        SINK_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
      }),
    );
  for (const [name, ports] of Object.entries(GATEWAYS) as Array<[Gateway, (typeof GATEWAYS)[Gateway]]>) {
    const sink = SINKS[name];
    gateways[name] = start(
      new OtelcolProcess(
        `gateway ${name}`,
        [
          '--config',
          'collector/gateway.yaml',
          '--config',
          `yaml:receivers::otlp::protocols::grpc::endpoint: 127.0.0.1:${ports.grpc}`,
          '--config',
          `yaml:extensions::health_check::endpoint: 127.0.0.1:${ports.health}`,
          '--config',
          `yaml:service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${ports.metrics}, without_units: true, without_type_suffix: true}}}}]`,
          '--config',
          'yaml:processors::tail_sampling::decision_wait: 5s',
          '--config',
          'yaml:connectors::span_metrics::metrics_flush_interval: 2s',
          '--config',
          'yaml:connectors::service_graph::metrics_flush_interval: 2s',
        ],
        {
          HOSTNAME: `gateway-${name}`,
          OTELCOL_BIND_HOST: '127.0.0.1',
          GATEWAY_SAMPLING_PERCENTAGE: String(SAMPLING_PERCENTAGE),
          TEMPO_OTLP_ENDPOINT: `127.0.0.1:${sink.grpc}`,
          LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${sink.http}/otlp`,
          PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${sink.http}/api/v1/otlp`,
        },
      ),
    );
  }
  for (const [name, ports] of Object.entries(AGENTS) as Array<[Agent, (typeof AGENTS)[Agent]]>)
    agents[name] = start(
      new OtelcolProcess(
        `agent ${name}`,
        [
          '--config',
          'collector/agent.yaml',
          ...portOverrides(ports),
          // The in-process receiver reads OTLP/JSON.
          '--config',
          'yaml:exporters::otlp_http/prometheus::encoding: json',
          '--config',
          'yaml:exporters::otlp_http/prometheus::compression: none',
        ],
        {
          OTELCOL_BIND_HOST: '127.0.0.1',
          GATEWAY_ENDPOINTS: `[127.0.0.1:${GATEWAYS.a.grpc}, 127.0.0.1:${GATEWAYS.b.grpc}]`,
          PROMETHEUS_OTLP_ENDPOINT: appMetricsUrl,
        },
      ),
    );
  await Promise.all([
    ...Object.entries(SINKS).map(([, ports], i) => collectors[i]!.ready(ports.health)),
    ...Object.entries(GATEWAYS).map(([name, ports]) => gateways[name as Gateway].ready(ports.health)),
    ...Object.entries(AGENTS).map(([name, ports]) => agents[name as Agent].ready(ports.health)),
  ]);

  const otel = (agent: Agent) => ({
    // As docker-compose.gateway.yml: OTLP/HTTP (protobuf) to the agent's 4318-style port.
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${AGENTS[agent].http}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=otelkit,deployment.environment.name=test',
    OTEL_BSP_SCHEDULE_DELAY: '1000',
    OTEL_BLRP_SCHEDULE_DELAY: '1000',
    OTEL_METRIC_EXPORT_INTERVAL: '2000',
  });
  const backends = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL };
  const payments = new ServiceProcess('payments', {
    ...otel('payments'),
    PORT: String(SERVICES.payments),
    ADMIN_TOKEN,
    PAYMENTS_DECLINE_RATE: '0',
  }).start();
  const api = new ServiceProcess('api', {
    ...otel('api'),
    ...backends,
    PORT: String(SERVICES.api),
    PAYMENTS_URL: PAYMENTS,
    RATE_LIMIT_PER_MINUTE: '1000000',
  }).start();
  services.push(payments, api);
  await Promise.all([waitForHttp(`${PAYMENTS}/health/ready`, payments), waitForHttp(`${API}/health/ready`, api)]);
  // After the api: it runs the migrations the worker needs.
  const worker = new ServiceProcess('worker', {
    ...otel('worker'),
    ...backends,
    PORT: String(SERVICES.worker),
    WORKER_BLOCK_MS: '500',
  }).start();
  services.push(worker);
  await waitForHttp(`http://127.0.0.1:${SERVICES.worker}/health/ready`, worker);
  const session = await newSession(API);
  token = session.token;
  email = session.email;
}, 60_000);

afterAll(async () => {
  await Promise.all(services.map((service) => service.stop('SIGKILL').catch(() => {})));
  await Promise.all(collectors.map((collector) => collector.stop('SIGKILL')));
  await appMetrics.close();
  rmSync(sinkDir, { recursive: true, force: true });
});

interface Sent {
  traceId: string;
  route: '/api/orders' | '/api/products';
  status: number;
  latencyMs: number;
  sentAt: number;
}

/**
 * One request with a trace id chosen here: the test process's fetch instrumentation
 * (tests/helpers/test-instrumentation.ts) makes its client span a child of `parent` and injects the
 * traceparent (a second, hand-written traceparent header would make the value invalid).
 */
async function request(route: Sent['route']): Promise<Sent> {
  const { traceId, spanId } = newTrace();
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const sentAt = Date.now();
  const started = performance.now();
  const order = route === '/api/orders';
  let status = 0;
  try {
    const response = await context.with(parent, () =>
      fetch(`${API}${route}`, {
        method: order ? 'POST' : 'GET',
        headers: {
          'x-tenant-id': TENANT,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: order ? JSON.stringify({ items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD }) : undefined,
        signal: AbortSignal.timeout(10_000),
      }),
    );
    await response.text();
    status = response.status;
  } catch {
    // no answer: status 0
  }
  return { traceId, route, status, latencyMs: performance.now() - started, sentAt };
}

/** `routes` sent by `concurrency` parallel clients, as fast as the services answer. */
async function burst(routes: Array<Sent['route']>, concurrency: number): Promise<Sent[]> {
  const results: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < routes.length) results.push(await request(routes[next++]!));
    }),
  );
  return results;
}

async function setPayments(settings: { latency_ms?: number; failure_rate?: number }): Promise<void> {
  const response = await fetch(`${PAYMENTS}/admin/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  expect(response.status, await response.text()).toBe(200);
}

/** trace id -> spans per gateway, from both sinks. */
function tracesAtSinks(): Map<string, Record<Gateway, number>> {
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
function apiServerCalls(): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const gateway of ['a', 'b'] as const)
    for (const series of spanMetricCalls(metricsFile(gateway)))
      if (series.service === 'api' && series.spanKind === 'SPAN_KIND_SERVER' && series.route.startsWith('/api/'))
        counts[`${series.route} ${series.statusCode}`] = (counts[`${series.route} ${series.statusCode}`] ?? 0) + series.value;
  return counts;
}

/** Polls `probe` every 250 ms until it returns a value; fails with `describe()` after `timeoutMs`. */
async function until<T>(
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
async function gatewayDrained(gateway: Gateway): Promise<boolean> {
  const samples = await scrape(GATEWAYS[gateway].metrics);
  const received = total(samples, 'otelcol_processor_tail_sampling_new_trace_id_received');
  const decided = total(samples, 'otelcol_processor_tail_sampling_global_count_traces_sampled');
  const sent = total(samples, 'otelcol_exporter_sent_spans', { exporter: 'otlp_grpc/tempo' });
  const queued = total(samples, 'otelcol_exporter_queue_size', { exporter: 'otlp_grpc/tempo' });
  const written = [...spansPerTrace(tracesFile(gateway)).values()].reduce((a, b) => a + b, 0);
  return decided >= received && queued === 0 && written >= sent;
}

/** The agents' load_balancing counters, summed over the three agents. */
async function agentCounters() {
  const perAgent = await Promise.all(
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
  return perAgent;
}

const pct = (part: number, whole: number) => `${((100 * part) / whole).toFixed(1)}%`;

describe('agent + gateway tiers (load_balancing by trace id, two gateways)', () => {
  it('the gateways scrub, derive and export as collector/config.yaml does', () => {
    const read = (file: string) => parse(readFileSync(join(REPO_ROOT, file), 'utf8'), { merge: true });
    const single = read('collector/config.yaml');
    const gateway = read('collector/gateway.yaml');
    for (const id of ['transform/drop_argv', 'transform/scrub', 'redaction/pii'])
      expect(gateway.processors[id], id).toEqual(single.processors[id]);
    expect(gateway.connectors.service_graph).toEqual(single.connectors.service_graph);
    // The one difference: with several gateways, collector.instance.id keeps their series apart.
    const { exclude_dimensions: excluded, ...spanMetrics } = single.connectors.span_metrics;
    expect(excluded).toEqual(['collector.instance.id']);
    expect(gateway.connectors.span_metrics).toEqual(spanMetrics);
    for (const id of ['otlp_grpc/tempo', 'otlp_http/loki', 'otlp_http/prometheus']) {
      expect(gateway.exporters[id].sending_queue, `${id} sending_queue`).toEqual(single.exporters[id].sending_queue);
      expect(gateway.exporters[id].retry_on_failure, `${id} retry_on_failure`).toEqual(single.exporters[id].retry_on_failure);
    }
  });

  let normal: Sent[] = [];

  it('routes every trace to one gateway; keeps all error and slow traces and ~25% of the rest; span metrics count every request', async () => {
    const started = Date.now();
    // The rest: checkouts (api -> payments -> worker) and catalogue reads, at payments' normal 40 ms.
    normal = await burst(
      Array.from({ length: 480 }, (_, i) => (i % 2 === 0 ? '/api/orders' : '/api/products')),
      8,
    );
    // Errors: every charge fails, the api answers 502.
    await setPayments({ failure_rate: 1 });
    const errors = await burst(
      Array.from({ length: 40 }, () => '/api/orders' as const),
      8,
    );
    // Slow: payments answers in 700 ms (±20%), above the 0.5 s SLO threshold.
    await setPayments({ failure_rate: 0, latency_ms: 700 });
    const slow = await burst(
      Array.from({ length: 30 }, () => '/api/orders' as const),
      15,
    );
    await setPayments({ latency_ms: 40 });
    const loadSeconds = (Date.now() - started) / 1000;

    const all = [...normal, ...errors, ...slow];
    expect(
      all.filter((r) => r.status === 0 || r.status === 429),
      'every request answered',
    ).toEqual([]);
    const errorTraces = errors.filter((r) => r.status === 502);
    const slowTraces = slow.filter((r) => r.status === 201 && r.latencyMs >= SLO_THRESHOLD_MS);
    // The rest: fast and OK. A request near the threshold could be kept as slow, so it is left out.
    const rest = normal.filter((r) => (r.status === 201 || r.status === 200) && r.latencyMs < 0.6 * SLO_THRESHOLD_MS);
    expect(errorTraces.length).toBe(40);
    expect(slowTraces.length).toBe(30);
    expect(rest.length, 'enough fast requests for the binomial check').toBeGreaterThan(240);

    // Span metrics (before sampling, both gateways): api SERVER calls = requests answered, per status.
    const expected: Record<string, number> = {};
    for (const r of all) {
      const key = `${r.route} ${r.status >= 500 ? 'STATUS_CODE_ERROR' : 'STATUS_CODE_UNSET'}`;
      expected[key] = (expected[key] ?? 0) + 1;
    }
    const calls = await until(
      'span_metrics count every request',
      () => {
        const counted = apiServerCalls();
        return Object.entries(expected).every(([key, n]) => counted[key] === n) ? counted : undefined;
      },
      () => `expected ${JSON.stringify(expected)}, counted ${JSON.stringify(apiServerCalls())}`,
    );
    await until(
      'both gateways decided and exported every trace',
      async () => ((await gatewayDrained('a')) && (await gatewayDrained('b')) ? true : undefined),
      () => '',
    );

    const atSinks = tracesAtSinks();
    const split = [...atSinks].filter(([, at]) => at.a > 0 && at.b > 0);
    const kept = (rs: Sent[]) => rs.filter((r) => atSinks.has(r.traceId)).length;
    const mine = all.filter((r) => atSinks.has(r.traceId));
    const perGateway = { a: { traces: 0, spans: 0 }, b: { traces: 0, spans: 0 } };
    for (const r of mine) {
      const at = atSinks.get(r.traceId)!;
      for (const g of ['a', 'b'] as const)
        if (at[g] > 0) {
          perGateway[g].traces += 1;
          perGateway[g].spans += at[g];
        }
    }
    const restKept = kept(rest);
    const p = SAMPLING_PERCENTAGE / 100;
    const sd = Math.sqrt(rest.length * p * (1 - p));
    const spansPerOrder = errorTraces.concat(slowTraces).map((r) => atSinks.get(r.traceId)?.a || atSinks.get(r.traceId)?.b || 0);
    const rss = Object.fromEntries(collectors.map((c) => [c.name, Math.round(c.peakRssMiB())]));
    console.log(
      [
        `gateway topology, phase 1: ${all.length} requests in ${loadSeconds.toFixed(1)} s (${(all.length / loadSeconds).toFixed(0)} req/s)`,
        `  per gateway (traces of this phase at the sinks): a ${perGateway.a.traces} traces / ${perGateway.a.spans} spans, b ${perGateway.b.traces} traces / ${perGateway.b.spans} spans; traces with spans on both gateways: ${split.length}`,
        `  kept: errors ${kept(errorTraces)}/${errorTraces.length}, slow (>= ${SLO_THRESHOLD_MS} ms) ${kept(slowTraces)}/${slowTraces.length}, rest ${restKept}/${rest.length} = ${pct(restKept, rest.length)} (configured ${SAMPLING_PERCENTAGE}%, ±4 sd = ±${pct(4 * sd, rest.length)})`,
        `  spans per error/slow order trace: ${quantile(spansPerOrder, 0)}-${quantile(spansPerOrder, 1)} (api, payments, worker)`,
        `  span_metrics api SERVER calls (both gateways) vs requests answered: ${JSON.stringify(calls)} vs ${JSON.stringify(expected)}`,
        `  peak RSS (MiB): ${JSON.stringify(rss)}`,
      ].join('\n'),
    );

    expect(
      split.map(([traceId, at]) => `${traceId}: ${JSON.stringify(at)}`),
      'traces split over both gateways',
    ).toEqual([]);
    expect(perGateway.a.traces, 'gateway a got traces').toBeGreaterThan(0.25 * mine.length);
    expect(perGateway.b.traces, 'gateway b got traces').toBeGreaterThan(0.25 * mine.length);
    expect(kept(errorTraces), 'every error trace kept').toBe(errorTraces.length);
    expect(kept(slowTraces), 'every slow trace kept').toBe(slowTraces.length);
    expect(Math.abs(restKept - rest.length * p), `rest kept ${restKept} of ${rest.length}`).toBeLessThanOrEqual(4 * sd);
    // Orders cross three services: a kept order trace has the api's, payments' and (when approved) the worker's spans.
    // A kept checkout has the spans of all three services, exported by three different agents, at one gateway.
    const services = new Map([...servicesPerTrace(tracesFile('a')), ...servicesPerTrace(tracesFile('b'))]);
    for (const r of slowTraces) expect([...(services.get(r.traceId) ?? [])].sort(), r.traceId).toEqual(['api', 'payments', 'worker']);
    // App metrics bypass the gateways: straight from the agents.
    expect(appMetrics.metricNames()).toContain('http.server.request.duration');
    // The scrub ran: the test user's e-mail address (in the sign-up request's logs/spans) is nowhere.
    for (const g of ['a', 'b'] as const)
      for (const file of ['traces', 'logs'])
        expect(readFileSync(join(sinkDir, g, `${file}.jsonl`), 'utf8').includes(email), `${g}/${file}.jsonl`).toBe(false);
  }, 90_000);

  it('a stopped gateway: its traces are lost (the static resolver keeps it), the rest arrive whole, and the agents count every span', async () => {
    expect(normal.length, 'runs after the routing test').toBeGreaterThan(0);
    const before = await agentCounters();
    // Every trace of this phase is an error trace, so the gateways keep all of them: what is missing was lost.
    await setPayments({ failure_rate: 1 });
    const sent: Sent[] = [];
    const inFlight = new Set<Promise<void>>();
    const timer = setInterval(() => {
      const p = request('/api/orders').then((r) => void sent.push(r));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }, 40);
    await sleep(3_000);
    const stoppedAt = Date.now();
    await gateways.b.stop('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    await sleep(6_000);
    clearInterval(timer);
    await Promise.all(inFlight);
    const loadEnd = Date.now();
    await setPayments({ failure_rate: 0 });

    // Settled: every span an agent accepted is either sent or counted as failed, and the queues are empty.
    const after = await until(
      'agents settled',
      async () => {
        const counters = await agentCounters();
        return Date.now() - loadEnd > 1_500 && counters.every((c) => c.queueSize === 0 && c.accepted === c.sent + c.sendFailed)
          ? counters
          : undefined;
      },
      () => 'queue or accepted != sent + send_failed',
    );
    await until(
      'gateway a decided and exported every trace',
      async () => ((await gatewayDrained('a')) ? true : undefined),
      () => '',
    );

    const atSinks = tracesAtSinks();
    const afterStop = sent.filter((r) => r.sentAt > stoppedAt + stopMs + 500);
    const beforeStop = sent.filter((r) => r.sentAt + r.latencyMs < stoppedAt);
    const arrived = afterStop.filter((r) => atSinks.has(r.traceId));
    const missing = afterStop.filter((r) => !atSinks.has(r.traceId));
    const spanCounts = arrived.map((r) => atSinks.get(r.traceId)!.a + atSinks.get(r.traceId)!.b);
    const spansPerTraceTypical = quantile(spanCounts, 0.5);
    const lostSpansEstimate = missing.length * spansPerTraceTypical;
    const delta = (key: 'accepted' | 'sent' | 'sendFailed' | 'enqueueFailed' | 'refused') =>
      after.reduce((sum, c) => sum + c[key], 0) - before.reduce((sum, c) => sum + c[key], 0);
    const bEndpoint = `127.0.0.1:${GATEWAYS.b.grpc}`;
    const aEndpoint = `127.0.0.1:${GATEWAYS.a.grpc}`;
    const failedExports = (endpoint: string) => after.reduce((sum, c) => sum + (c.failedExports[endpoint] ?? 0), 0);
    const split = [...atSinks].filter(([, at]) => at.a > 0 && at.b > 0);
    console.log(
      [
        `gateway topology, phase 2: ${sent.length} error orders at 25 req/s; gateway b stopped (SIGTERM, ${stopMs} ms) after 3 s, load went on for 6 s`,
        `  before the stop: ${beforeStop.filter((r) => atSinks.has(r.traceId)).length}/${beforeStop.length} traces arrived (a ${beforeStop.filter((r) => atSinks.get(r.traceId)?.a).length}, b ${beforeStop.filter((r) => atSinks.get(r.traceId)?.b).length})`,
        `  after the stop: ${arrived.length}/${afterStop.length} traces arrived (all at gateway a, ${spansPerTraceTypical} spans each), ${missing.length} lost = ${pct(missing.length, afterStop.length)} (≈ ${lostSpansEstimate} spans)`,
        `  agents (load_balancing), this phase: accepted ${delta('accepted')} spans, sent ${delta('sent')}, send_failed ${delta('sendFailed')}, enqueue_failed ${delta('enqueueFailed')}, receiver refused ${delta('refused')}; queue max capacity ${after[0]!.queueCapacity}`,
        `  failed exports per gateway (otelcol_loadbalancer_backend_outcome{success="false"}): b ${failedExports(bEndpoint)}, a ${failedExports(aEndpoint)}`,
      ].join('\n'),
    );

    expect(split, 'no trace on both gateways').toEqual([]);
    expect(sent.every((r) => r.status === 502)).toBe(true);
    // Gateway a keeps working: the traces that hash to it arrive, whole.
    expect(arrived.length).toBeGreaterThan(0.25 * afterStop.length);
    expect(Math.min(...spanCounts)).toBe(Math.max(...spanCounts));
    // The static resolver does not re-route: the traces that hash to the stopped gateway are lost.
    expect(missing.length).toBeGreaterThan(0.2 * afterStop.length);
    expect(failedExports(bEndpoint)).toBeGreaterThan(0);
    // The running gateway's exports succeed (on a loaded machine one may time out: far fewer than b's).
    expect(failedExports(aEndpoint)).toBeLessThan(failedExports(bEndpoint) / 5);
    // Nothing is lost uncounted: each accepted span was sent or counted in send_failed (whole batches,
    // so the counter is an upper bound of the loss).
    for (const c of after) expect(c.accepted, `agent ${c.agent}: accepted = sent + send_failed`).toBe(c.sent + c.sendFailed);
    expect(delta('sendFailed') + delta('enqueueFailed')).toBeGreaterThanOrEqual(lostSpansEstimate);
  }, 60_000);
});
