import { afterEach, describe, expect, it } from 'vitest';
import { withoutTracing } from '../../src/telemetry/tracing.ts';
import { Sink } from '../e2e/sink.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { CollectorProcess, freePorts, portOverrides } from '../helpers/collector-process.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { calledSpans } from '../helpers/span-count.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

/**
 * Span metrics under head sampling (OTELKIT_PROFILE=production): the kit's Collector
 * (collector/config.yaml as shipped) weights each kept span by 1/p, read from the `ot=th:` entry our
 * sampler writes into tracestate, so traces_span_metrics_calls_total estimates every span, not only
 * the kept ones. Sampling 50% here (th:8, an adjusted count of exactly 2): the api's calls must
 * equal twice the api spans that reached Tempo (a sink), while http.server.request.duration, which
 * no sampling touches, counts every request.
 */
const REQUESTS = 60;
const stops: Array<() => Promise<unknown> | void> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

function httpRequestCount(sink: Sink): number {
  const newest = new Map<string, { time: bigint; count: number }>();
  for (const batch of sink.lines('metrics.jsonl')) {
    for (const rm of batch.resourceMetrics ?? []) {
      const service = rm.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;
      if (service !== 'api') continue;
      for (const metric of rm.scopeMetrics.flatMap((sm: any) => sm.metrics)) {
        if (metric.name !== 'http.server.request.duration') continue;
        for (const point of metric.histogram.dataPoints) {
          const key = JSON.stringify(point.attributes);
          const time = BigInt(point.timeUnixNano);
          if ((newest.get(key)?.time ?? -1n) < time) newest.set(key, { time, count: Number(point.count) });
        }
      }
    }
  }
  return [...newest.values()].reduce((sum, p) => sum + p.count, 0);
}

describe('span metrics under head sampling (production profile)', () => {
  it('count each kept span 1/p times, read from the tracestate the SDK wrote', { timeout: 120_000 }, async () => {
    const ports = await freePorts('sinkGrpc', 'sinkHttp', 'sinkHealth', 'grpc', 'http', 'health', 'api');
    const sink = new Sink(tempDir('otelkit-sampled-'));
    const sinkProcess = new CollectorProcess(['--config', 'tests/e2e/sink-collector.yaml'], {
      SINK_DIR: sink.dir,
      SINK_GRPC_ENDPOINT: `127.0.0.1:${ports.sinkGrpc}`,
      SINK_HTTP_ENDPOINT: `127.0.0.1:${ports.sinkHttp}`,
      SINK_HEALTH_ENDPOINT: `127.0.0.1:${ports.sinkHealth}`,
    });
    stops.push(() => sinkProcess.kill());
    const kit = new CollectorProcess(
      [
        '--config',
        'collector/config.yaml',
        ...portOverrides({ grpc: ports.grpc, http: ports.http, health: ports.health }),
        '--config',
        'yaml:connectors::span_metrics::metrics_flush_interval: 1s',
      ],
      {
        OTELCOL_BIND_HOST: '127.0.0.1',
        REDIS_ENDPOINT: '127.0.0.1:6379',
        TEMPO_OTLP_ENDPOINT: `127.0.0.1:${ports.sinkGrpc}`,
        LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${ports.sinkHttp}/otlp`,
        PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${ports.sinkHttp}/api/v1/otlp`,
      },
    );
    stops.push(() => kit.kill());
    await Promise.all([sinkProcess.ready(ports.sinkHealth), kit.ready(ports.health)]);

    const api = new ServiceProcess('api', {
      OTELKIT_PROFILE: 'production',
      OTEL_TRACES_SAMPLER_ARG: '0.5',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      PORT: String(ports.api),
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      RATE_LIMIT_PER_MINUTE: '100000',
    }).start();
    stops.push(() => api.stop('SIGKILL').catch(() => {}));
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    await waitForHttp(`${apiUrl}/health/ready`, api);

    // Untraced: the test process's own fetch instrumentation would otherwise be every trace's root.
    await withoutTracing(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const response = await fetch(`${apiUrl}/api/products`, { headers: { 'x-tenant-id': 'acme' } });
        expect(response.status).toBe(200);
        await response.arrayBuffer();
      }
    });

    // Settled: the same reading three times, a second apart.
    const readings: string[] = [];
    const read = () => {
      const spans = sink.spans().filter((s) => s.resource['service.name'] === 'api');
      return {
        keptSpans: spans.length,
        withThreshold: spans.filter((s) => s.traceState === 'ot=th:8').length,
        keptRequests: spans.filter((s) => s.name === 'GET /api/products').length,
        calls: calledSpans(sink.metricPoints(), ['api']),
        requests: httpRequestCount(sink),
      };
    };
    const deadline = Date.now() + 45_000;
    let reading = read();
    for (;;) {
      readings.push(JSON.stringify(reading));
      const stable = readings.length >= 3 && readings.slice(-3).every((r) => r === readings.at(-1));
      if (stable && reading.requests === REQUESTS && reading.calls === 2 * reading.keptSpans && reading.keptSpans > 0) break;
      if (Date.now() > deadline) throw new Error(`span metrics never settled at 2 × the kept spans: ${readings.slice(-3).join(', ')}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      reading = read();
    }
    console.log(`span metrics under 50% head sampling: ${JSON.stringify(reading)}`);
    expect(reading.withThreshold, 'every kept api span carries th:8').toBe(reading.keptSpans);
    expect(reading.keptRequests).toBeGreaterThan(0);
    expect(reading.keptRequests).toBeLessThan(REQUESTS);
    expect(reading.requests, 'http.server.request.duration counts every request').toBe(REQUESTS);
  });
});
