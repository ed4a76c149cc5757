import { afterEach, describe, expect, it } from 'vitest';
import { Sink } from '../e2e/sink.ts';
import { CollectorProcess, freePorts, portOverrides } from '../helpers/collector-process.ts';
import { startShopPair } from '../helpers/shop-pair.ts';
import { newSession } from '../helpers/shop-client.ts';
import { steadyLoad, tally } from '../helpers/steady-load.ts';
import { collectorCounters, sdkProcessed } from '../helpers/telemetry-outage.ts';
import { calledSpans, refusedSpans, settle, shrunkQueue } from '../helpers/span-count.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

/**
 * Span metrics count every span exactly once, whatever a backend does (collector/README.md, "Counts
 * under back-pressure"). Tempo and Loki are unreachable and their exporter queues are shrunk to 200
 * items, so both overflow within a second of load; Prometheus (a sink Collector) takes the metrics.
 * Then the spans counted in traces_span_metrics_calls_total must equal the spans the api's and
 * payments' SDKs exported (their own otel.sdk.processor.span.processed): a request refused after the
 * connectors counted it would be retried by the sender and counted again (opentelemetry-collector#6961).
 *
 * Both topologies that compute span metrics: the single Collector (collector/config.yaml) and an
 * agent in front of a gateway (collector/agent.yaml → collector/gateway.yaml, where tail sampling
 * keeps every trace here so that Tempo's queue gets all of them).
 */
const LOAD_SECONDS = 8;
const RATE = 40;
const SERVICES = ['api', 'payments'];

const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function sinkCollector(dir: string, ports: { grpc: number; http: number; health: number }) {
  const sink = new CollectorProcess(['--config', 'tests/e2e/sink-collector.yaml'], {
    SINK_DIR: dir,
    SINK_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    SINK_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    SINK_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
  });
  stops.push(() => sink.kill());
  return sink;
}

function collector(args: string[], env: NodeJS.ProcessEnv) {
  const process = new CollectorProcess(args, env);
  stops.push(() => process.kill());
  return process;
}

interface Entry {
  /** The Collector the SDKs export to (OTLP HTTP). */
  otlpHttp: number;
  /** The Collector that computes span metrics and exports to Tempo and Loki, its own metrics port. */
  counting: number;
}

/** Tempo and Loki (closed port), Prometheus (the sink), as the kit's configs read them. */
const backends = (closed: number, sinkHttp: number) => ({
  TEMPO_OTLP_ENDPOINT: `127.0.0.1:${closed}`,
  LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${closed}/otlp`,
  PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${sinkHttp}/api/v1/otlp`,
});

async function single(closed: number, sinkHttp: number): Promise<Entry> {
  const p = await freePorts('grpc', 'http', 'health', 'metrics');
  const c = collector(
    [
      '--config',
      'collector/config.yaml',
      ...portOverrides(p),
      ...shrunkQueue('otlp_grpc/tempo'),
      ...shrunkQueue('otlp_http/loki'),
      '--config',
      'yaml:connectors::span_metrics::metrics_flush_interval: 1s',
    ],
    { OTELCOL_BIND_HOST: '127.0.0.1', REDIS_ENDPOINT: '127.0.0.1:6379', ...backends(closed, sinkHttp) },
  );
  await c.ready(p.health);
  return { otlpHttp: p.http, counting: p.metrics };
}

async function agentAndGateway(closed: number, sinkHttp: number): Promise<Entry> {
  const g = await freePorts('grpc', 'http', 'health', 'metrics');
  const a = await freePorts('grpc', 'http', 'health', 'metrics');
  const gateway = collector(
    [
      '--config',
      'collector/gateway.yaml',
      ...portOverrides(g),
      ...shrunkQueue('otlp_grpc/tempo'),
      ...shrunkQueue('otlp_http/loki'),
      ...['span_metrics', 'span_metrics/unkept'].flatMap((id) => ['--config', `yaml:connectors::${id}::metrics_flush_interval: 1s`]),
      '--config',
      'yaml:processors::tail_sampling::decision_wait: 1s',
    ],
    { OTELCOL_BIND_HOST: '127.0.0.1', HOSTNAME: 'gateway-exact', GATEWAY_SAMPLING_PERCENTAGE: '100', ...backends(closed, sinkHttp) },
  );
  const agent = collector(['--config', 'collector/agent.yaml', ...portOverrides(a)], {
    OTELCOL_BIND_HOST: '127.0.0.1',
    GATEWAY_ENDPOINTS: `[127.0.0.1:${g.grpc}]`,
    PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${sinkHttp}/api/v1/otlp`,
  });
  await Promise.all([gateway.ready(g.health), agent.ready(a.health)]);
  return { otlpHttp: a.http, counting: g.metrics };
}

describe.each([
  ['the single Collector', single],
  ['an agent and a gateway', agentAndGateway],
])('span metrics under back-pressure: %s', (_name, start) => {
  it('Tempo and Loki down past their queues: every exported span is counted once, the overflow is counted as dropped', async () => {
    const ports = await freePorts('closed', 'sinkGrpc', 'sinkHttp', 'sinkHealth');
    const sink = new Sink(tempDir('otelkit-exact-'));
    const sinkProcess = sinkCollector(sink.dir, { grpc: ports.sinkGrpc, http: ports.sinkHttp, health: ports.sinkHealth });
    await sinkProcess.ready(ports.sinkHealth);
    const entry = await start(ports.closed, ports.sinkHttp);

    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${entry.otlpHttp}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '500',
      OTEL_NODE_EXPERIMENTAL_SDK_METRICS: 'true',
    };
    const { api, payments, apiUrl } = await startShopPair(otel);
    stops.push(
      () => api.stop('SIGKILL').catch(() => {}),
      () => payments.stop('SIGKILL').catch(() => {}),
    );

    const { token } = await newSession(apiUrl);
    const load = steadyLoad(apiUrl, token, RATE);
    await new Promise((resolve) => setTimeout(resolve, LOAD_SECONDS * 1000));
    const served = tally(await load.stop());

    // Settled: the SDKs have nothing left to send, and the count equals what they exported, three
    // readings in a row. A retried batch would leave the count above the SDKs' for good.
    const readings: string[] = [];
    const settled = await settle(() => {
      const points = sink.metricPoints();
      const exported = SERVICES.map((service) => sdkProcessed(points, service, 'otel.sdk.processor.span.processed'));
      return {
        counted: calledSpans(points, SERVICES),
        exported: exported.reduce((sum, p) => sum + p.ok, 0),
        lost: exported.reduce((sum, p) => sum + p.failed, 0),
      };
    }, readings);
    const counters = await collectorCounters(`http://127.0.0.1:${entry.counting}/metrics`);
    const refused = await refusedSpans(`http://127.0.0.1:${entry.counting}/metrics`);
    console.log(
      `span metrics exact (${_name}): ${served.served} requests served in ${LOAD_SECONDS} s; spans exported by the SDKs ${settled.exported} ` +
        `(lost by them ${settled.lost}), counted in calls_total ${settled.counted}, difference ${settled.counted - settled.exported}; ` +
        `dropped at full queues (enqueue_failed): tempo ${counters.enqueueFailed['otlp_grpc/tempo'] ?? 0} spans, loki ${counters.enqueueFailed['otlp_http/loki'] ?? 0} log records; spans refused to the sender ${refused}`,
    );

    expect(served.errors, 'every request answered').toEqual({});
    // The premise: both backends' queues overflowed during the load.
    expect(counters.enqueueFailed['otlp_grpc/tempo'] ?? 0, 'Tempo queue overflowed').toBeGreaterThan(0);
    expect(counters.enqueueFailed['otlp_http/loki'] ?? 0, 'Loki queue overflowed').toBeGreaterThan(0);
    // Counted spans are never refused (a refusal would make the sender retry them).
    expect(refused, 'spans refused after the connectors counted them').toBe(0);
    expect(settled.lost, 'spans the SDKs gave up on').toBe(0);
  }, 120_000);
});
