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
 * 2b. every exemplar of the span metrics names a trace the sampler kept (>= 99%: exemplars come only
 *    from spans whose trace is kept for certain), and the share of log lines whose trace id resolves
 *    is printed (every line keeps its trace id; Grafana's link says it may be sampled out);
 * 3. with one gateway stopped under load, the static resolver does not re-route: the traces that hash
 *    to the stopped gateway are lost, the others keep arriving whole, and the agents' own metrics
 *    account for every span (accepted = sent + send_failed) and bound the loss;
 * 4. a Prometheus of our build scraping the tiers as the overlay does (scrape-gateway-tiers.yml, every
 *    second) with rules/collector.yml: OtelCollectorTierDown fires for the stopped gateway and for a
 *    stopped agent, whose alert names its service (what its Alertmanager inhibition keys on).
 *
 * Every process on ports the OS assigns (gateway-stack.ts). Test-only overrides: tail sampling decides after 5 s
 * (10 s shipped) and the connectors flush every 2 s (15 s shipped), so the test waits less.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { quantile, sleep } from '../helpers/gateway-topology.ts';
import {
  agents,
  SAMPLING_PERCENTAGE,
  SLO_THRESHOLD_MS,
  appMetrics,
  email,
  gateways,
  startGatewayStack,
  stopGatewayStack,
} from '../helpers/gateway-stack.ts';
import { burst, checkouts, checkoutsAndReads, setPayments, steadyCheckouts, type Sent } from '../helpers/gateway-traffic.ts';
import {
  agentCounters,
  counterDeltas,
  expectedApiServerCalls,
  failedExports,
  linksResolving,
  peakRssMiB,
  pct,
  perGateway,
  servicesAtSinks,
  sinkText,
  tracesAtSinks,
  until,
  untilAgentsSettled,
  untilDrained,
  untilSpanMetricsCount,
} from '../helpers/gateway-readings.ts';
import { startTierPrometheus, stopTierPrometheus, tierDownFiring } from '../helpers/gateway-tier-alerts.ts';
import { readYaml } from '../static/support/repo.ts';

beforeAll(async () => {
  await startGatewayStack();
  await startTierPrometheus();
}, 90_000);
afterAll(async () => {
  stopTierPrometheus();
  await stopGatewayStack();
});

describe('agent + gateway tiers (load_balancing by trace id, two gateways)', () => {
  it('the gateways scrub, derive and export as collector/config.yaml does', () => {
    const single = readYaml<any>('collector/config.yaml');
    const gateway = readYaml<any>('collector/gateway.yaml');
    for (const id of ['transform/drop_argv', 'transform/scrub', 'redaction/pii', 'transform/tempo_apm'])
      expect(gateway.processors[id], id).toEqual(single.processors[id]);
    expect(gateway.connectors.service_graph).toEqual(single.connectors.service_graph);
    // Two differences: with several gateways, collector.instance.id keeps their series apart; and the
    // spans are counted by two connectors, told apart by tail_sampling.kept, only one with exemplars.
    const { exclude_dimensions: excluded, ...spanMetrics } = single.connectors.span_metrics;
    expect(excluded).toEqual(['collector.instance.id']);
    const kept = (value: string) => [...spanMetrics.dimensions, { name: 'tail_sampling.kept', default: value }];
    expect(gateway.connectors.span_metrics).toEqual({ ...spanMetrics, dimensions: kept('true') });
    expect(gateway.connectors['span_metrics/unkept']).toEqual({ ...spanMetrics, dimensions: kept('false'), exemplars: { enabled: false } });
    for (const id of ['otlp_grpc/tempo', 'otlp_http/loki', 'otlp_http/prometheus']) {
      expect(gateway.exporters[id].sending_queue, `${id} sending_queue`).toEqual(single.exporters[id].sending_queue);
      expect(gateway.exporters[id].retry_on_failure, `${id} retry_on_failure`).toEqual(single.exporters[id].retry_on_failure);
    }
  });

  let normal: Sent[] = [];

  it('routes every trace to one gateway; keeps all error and slow traces and ~25% of the rest; span metrics count every request', async () => {
    const started = Date.now();
    // The rest: checkouts (api -> payments -> worker) and catalogue reads, at payments' normal 40 ms.
    normal = await burst(checkoutsAndReads(480), 8);
    // Errors: every charge fails, the api answers 502.
    await setPayments({ failure_rate: 1 });
    const errors = await burst(checkouts(40), 8);
    // Slow: payments answers in 700 ms (±20%), above the 0.5 s SLO threshold.
    await setPayments({ failure_rate: 0, latency_ms: 700 });
    const slow = await burst(checkouts(30), 15);
    await setPayments({ latency_ms: 40 });
    const loadSeconds = (Date.now() - started) / 1000;

    const all = [...normal, ...errors, ...slow];
    const unanswered = all.filter((r) => r.status === 0 || r.status === 429);
    expect(unanswered, 'every request answered').toEqual([]);
    const errorTraces = errors.filter((r) => r.status === 502);
    const slowTraces = slow.filter((r) => r.status === 201 && r.latencyMs >= SLO_THRESHOLD_MS);
    // The rest: fast and OK. A request near the threshold could be kept as slow, so it is left out.
    const rest = normal.filter((r) => (r.status === 201 || r.status === 200) && r.latencyMs < 0.6 * SLO_THRESHOLD_MS);
    expect(errorTraces.length).toBe(40);
    expect(slowTraces.length).toBe(30);
    expect(rest.length, 'enough fast requests for the binomial check').toBeGreaterThan(240);

    // Span metrics (before sampling, both gateways): api SERVER calls = requests answered, per status.
    const expected = expectedApiServerCalls(all);
    const calls = await untilSpanMetricsCount(expected);
    await untilDrained('a', 'b');

    const atSinks = tracesAtSinks();
    const split = [...atSinks].filter(([, at]) => at.a > 0 && at.b > 0);
    const kept = (rs: Sent[]) => rs.filter((r) => atSinks.has(r.traceId)).length;
    // Links a user clicks: an exemplar on a span-metrics panel, a log line's trace id.
    const { exemplars, logs } = linksResolving(atSinks);
    const mine = all.filter((r) => atSinks.has(r.traceId));
    const byGateway = perGateway(mine, atSinks);
    const restKept = kept(rest);
    const p = SAMPLING_PERCENTAGE / 100;
    const sd = Math.sqrt(rest.length * p * (1 - p));
    const spansPerOrder = errorTraces.concat(slowTraces).map((r) => atSinks.get(r.traceId)?.a || atSinks.get(r.traceId)?.b || 0);
    console.log(
      [
        `gateway topology, phase 1: ${all.length} requests in ${loadSeconds.toFixed(1)} s (${(all.length / loadSeconds).toFixed(0)} req/s)`,
        `  per gateway (traces of this phase at the sinks): a ${byGateway.a.traces} traces / ${byGateway.a.spans} spans, b ${byGateway.b.traces} traces / ${byGateway.b.spans} spans; traces with spans on both gateways: ${split.length}`,
        `  kept: errors ${kept(errorTraces)}/${errorTraces.length}, slow (>= ${SLO_THRESHOLD_MS} ms) ${kept(slowTraces)}/${slowTraces.length}, rest ${restKept}/${rest.length} = ${pct(restKept, rest.length)} (configured ${SAMPLING_PERCENTAGE}%, ±4 sd = ±${pct(4 * sd, rest.length)})`,
        `  spans per error/slow order trace: ${quantile(spansPerOrder, 0)}-${quantile(spansPerOrder, 1)} (api, payments, worker)`,
        `  span_metrics api SERVER calls (both gateways) vs requests answered: ${JSON.stringify(calls)} vs ${JSON.stringify(expected)}`,
        `  links that open a trace at the sinks (Tempo): exemplars ${exemplars.resolved}/${exemplars.total} = ${pct(exemplars.resolved, exemplars.total)}, log lines' trace ids ${logs.resolved}/${logs.total} = ${pct(logs.resolved, logs.total)}`,
        `  peak RSS (MiB): ${JSON.stringify(peakRssMiB())}`,
      ].join('\n'),
    );

    const splitTraces = split.map(([traceId, at]) => `${traceId}: ${JSON.stringify(at)}`);
    expect(splitTraces, 'traces split over both gateways').toEqual([]);
    expect(byGateway.a.traces, 'gateway a got traces').toBeGreaterThan(0.25 * mine.length);
    expect(byGateway.b.traces, 'gateway b got traces').toBeGreaterThan(0.25 * mine.length);
    expect(kept(errorTraces), 'every error trace kept').toBe(errorTraces.length);
    // Exemplars come only from spans whose trace the sampler keeps for certain (gateway.yaml, routing/exemplars).
    expect(exemplars.total, 'exemplars exported').toBeGreaterThan(20);
    expect(exemplars.resolved / exemplars.total, 'share of exemplars that open their trace').toBeGreaterThanOrEqual(0.99);
    // Log lines keep every trace id; those of sampled-out traces do not resolve (Grafana's link says so).
    expect(logs.total, 'log lines with a trace id').toBeGreaterThan(100);
    expect(kept(slowTraces), 'every slow trace kept').toBe(slowTraces.length);
    expect(Math.abs(restKept - rest.length * p), `rest kept ${restKept} of ${rest.length}`).toBeLessThanOrEqual(4 * sd);
    // Orders cross three services: a kept order trace has the api's, payments' and (when approved) the worker's spans.
    // A kept checkout has the spans of all three services, exported by three different agents, at one gateway.
    const services = servicesAtSinks();
    for (const r of slowTraces) expect([...(services.get(r.traceId) ?? [])].sort(), r.traceId).toEqual(['api', 'payments', 'worker']);
    // App metrics bypass the gateways: straight from the agents.
    expect(appMetrics.metricNames()).toContain('http.server.request.duration');
    // The scrub ran: the test user's e-mail address (in the sign-up request's logs/spans) is nowhere.
    for (const g of ['a', 'b'] as const)
      for (const file of ['traces', 'logs']) expect(sinkText(g, file).includes(email), `${g}/${file}.jsonl`).toBe(false);
  }, 90_000);

  it('a stopped gateway: its traces are lost (the static resolver keeps it), the rest arrive whole, and the agents count every span', async () => {
    expect(normal.length, 'runs after the routing test').toBeGreaterThan(0);
    const before = await agentCounters();
    // Every trace of this phase is an error trace, so the gateways keep all of them: what is missing was lost.
    await setPayments({ failure_rate: 1 });
    const load = steadyCheckouts(40);
    await sleep(3_000);
    const stoppedAt = Date.now();
    await gateways.b.stop('SIGTERM');
    const stopMs = Date.now() - stoppedAt;
    await sleep(6_000);
    await load.stop();
    const sent = load.sent;
    const loadEnd = Date.now();
    await setPayments({ failure_rate: 0 });

    // Settled: every span an agent accepted is either sent or counted as failed, and the queues are empty.
    const after = await untilAgentsSettled(loadEnd);
    await untilDrained('a');

    const atSinks = tracesAtSinks();
    const afterStop = sent.filter((r) => r.sentAt > stoppedAt + stopMs + 500);
    const beforeStop = sent.filter((r) => r.sentAt + r.latencyMs < stoppedAt);
    const arrived = afterStop.filter((r) => atSinks.has(r.traceId));
    const missing = afterStop.filter((r) => !atSinks.has(r.traceId));
    const spanCounts = arrived.map((r) => atSinks.get(r.traceId)!.a + atSinks.get(r.traceId)!.b);
    const spansPerTraceTypical = quantile(spanCounts, 0.5);
    const lostSpansEstimate = missing.length * spansPerTraceTypical;
    const delta = counterDeltas(before, after);
    const failed = failedExports(after);
    const split = [...atSinks].filter(([, at]) => at.a > 0 && at.b > 0);
    console.log(
      [
        `gateway topology, phase 2: ${sent.length} error orders at 25 req/s (statuses ${JSON.stringify(Object.fromEntries([...new Set(sent.map((r) => r.status))].map((s) => [s, sent.filter((r) => r.status === s).length])))}); gateway b stopped (SIGTERM, ${stopMs} ms) after 3 s, load went on for 6 s`,
        `  before the stop: ${beforeStop.filter((r) => atSinks.has(r.traceId)).length}/${beforeStop.length} traces arrived (a ${beforeStop.filter((r) => atSinks.get(r.traceId)?.a).length}, b ${beforeStop.filter((r) => atSinks.get(r.traceId)?.b).length})`,
        `  after the stop: ${arrived.length}/${afterStop.length} traces arrived (all at gateway a, ${spansPerTraceTypical} spans each, ${spanCounts.filter((n) => n < spansPerTraceTypical).length} of them in part), ${missing.length} lost = ${pct(missing.length, afterStop.length)} (≈ ${lostSpansEstimate} spans)`,
        `  agents (load_balancing), this phase: accepted ${delta.accepted} spans, sent ${delta.sent}, send_failed ${delta.sendFailed}, enqueue_failed ${delta.enqueueFailed}, receiver refused ${delta.refused}; queue max capacity ${after[0]!.queueCapacity}`,
        `  failed exports per gateway (otelcol_loadbalancer_backend_outcome{success="false"}): b ${failed.b}, a ${failed.a}`,
      ].join('\n'),
    );

    expect(split, 'no trace on both gateways').toEqual([]);
    const not502 = sent.filter((r) => r.status !== 502).map((r) => r.status);
    expect(not502, 'every order answered 502').toEqual([]);
    // Gateway a keeps working: the traces that hash to it arrive, whole. The agents send a batch
    // whole or count it failed, so a trace can arrive in part only if an export to a failed (a
    // timeout on a loaded machine), and then the missing spans are in send_failed (checked below).
    expect(arrived.length).toBeGreaterThan(0.25 * afterStop.length);
    const partial = spanCounts.filter((count) => count < spansPerTraceTypical).length;
    expect(Math.max(...spanCounts), 'no span twice').toBe(spansPerTraceTypical);
    if (failed.a === 0) expect(partial, 'partial traces with every export to a successful').toBe(0);
    else expect(partial, 'partial traces after a failed export to a').toBeLessThan(0.2 * arrived.length);
    // The static resolver does not re-route: the traces that hash to the stopped gateway are lost.
    expect(missing.length).toBeGreaterThan(0.2 * afterStop.length);
    expect(failed.b).toBeGreaterThan(0);
    // The running gateway's exports succeed (on a loaded machine one may time out: far fewer than b's).
    expect(failed.a).toBeLessThan(failed.b / 5);
    // Nothing is lost uncounted: each accepted span was sent or counted in send_failed (whole batches,
    // so the counter is an upper bound of the loss).
    for (const c of after) expect(c.accepted, `agent ${c.agent}: accepted = sent + send_failed`).toBe(c.sent + c.sendFailed);
    expect(delta.sendFailed + delta.enqueueFailed).toBeGreaterThanOrEqual(lostSpansEstimate);
  }, 60_000);

  it('OtelCollectorTierDown fires for the stopped gateway and for a stopped agent, which names its service', async () => {
    expect(gateways.b.stopped, 'runs after the gateway stop').toBe(true);
    const stoppedAt = Date.now();
    await agents.worker.stop('SIGTERM');
    // Both are down; `for: 1m` (rules/collector.yml) then turns pending into firing.
    const firing = await until(
      'OtelCollectorTierDown firing for gateway 2 and the worker agent',
      () => tierDownFiring({ gateway: 'otel-gateway-2:8888', agent: 'otel-agent-worker:8888' }),
      () => '',
      90_000,
    );
    console.log(
      `gateway topology, phase 3: OtelCollectorTierDown firing ${((Date.now() - stoppedAt) / 1000).toFixed(0)} s after the worker's agent stopped: ${JSON.stringify(firing.gateway.labels)}, ${JSON.stringify(firing.agent.labels)}`,
    );
    expect(firing.agent.labels.service_name, 'the agent alert names the service whose telemetry stops').toBe('worker');
    expect(firing.gateway.labels.service_name ?? '', 'a gateway serves every service').toBe('');
    expect(firing.others, 'no running Collector alerts').toBe(0);
  }, 120_000);
});
