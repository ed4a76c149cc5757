import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { freePorts } from '../helpers/collector-process.ts';
import { hostileBody, listHeader, METHODS, sendable, traceparent } from '../helpers/fuzz-inputs.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { finishedSpans } from '../helpers/telemetry.ts';

/*
 * The payment gateway started exactly as in production (`--import ./src/instrumentation.ts`, OTLP
 * export), under hostile requests: the process stays up, answers JSON 4xx with a request id, links no
 * span to a malformed traceparent, and exports no metric series made of attacker-chosen values.
 */
const ADMIN_TOKEN = `process-fuzz-${randomUUID()}`;
let service: ServiceProcess | undefined;
let receiver: OtlpJsonReceiver | undefined;
afterAll(async () => {
  await service?.stop('SIGKILL').catch(() => {});
  await receiver?.close();
});

/** The only attribute keys http.server.request.duration may carry: none takes a raw request value. */
const SERIES_KEYS = [
  'http.request.method',
  'http.response.status_code',
  'http.route',
  'url.scheme',
  'network.protocol.version',
  'error.type',
];

const attributesOf = (item: { attributes?: Array<{ key: string; value: Record<string, unknown> }> }) =>
  Object.fromEntries((item.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));

describe('a service process under hostile requests', () => {
  it('stays up, answers JSON 4xx, links no garbage parent and exports only bounded series', async () => {
    receiver = new OtlpJsonReceiver();
    const endpoint = await receiver.start();
    const { port } = await freePorts('port');
    service = new ServiceProcess('payments', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      PORT: String(port),
      ADMIN_TOKEN,
      PAYMENTS_FAILURE_RATE: '0',
      PAYMENTS_LATENCY_MS: '0',
    }).start();
    const url = `http://127.0.0.1:${port}`;
    await waitForHttp(`${url}/health/ready`, service);

    const sentParents: string[] = [];
    let cases = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/charges', '/admin/config', '/health/live', '/nowhere', '/charges/%ff', '/admin/../admin/config'),
        fc.constantFrom(...METHODS),
        hostileBody(['order_id', 'amount_cents', 'currency', 'card', 'latency_ms']),
        fc.option(traceparent),
        fc.option(listHeader),
        fc.option(listHeader),
        async (path, method, body, parent, state, baggage) => {
          cases++;
          const headers: Record<string, string> = { 'content-type': 'application/json', authorization: 'Bearer not-the-token' };
          if (parent !== null) sentParents.push((headers.traceparent = sendable(parent)).toLowerCase());
          if (state !== null) headers.tracestate = sendable(state);
          if (baggage !== null) headers.baggage = sendable(baggage);
          const response = await fetch(`${url}${path}`, {
            method,
            headers,
            body: method === 'GET' || method === 'HEAD' ? undefined : body,
          });
          const text = await response.text();
          const where = `${method} ${path} → ${response.status} ${text.slice(0, 200)}`;
          expect(response.status, where).toBeLessThan(500);
          if (response.status >= 400 && method !== 'HEAD')
            expect(JSON.parse(text).request_id, where).toBe(response.headers.get('x-request-id'));
          expect(text.includes(ADMIN_TOKEN), where).toBe(false);
        },
      ),
      { numRuns: 200 },
    );
    expect(service.running).toBe(true);
    expect(await service.stop()).toBe(0);
    console.log(`fuzz-http-process cases: ${cases}`);

    // This test process's own fetch client spans (undici instrumentation) are legitimate parents too.
    const ownClientSpans = new Set(finishedSpans().map((s) => s.spanContext().spanId));
    for (const span of receiver.spans().filter((s) => s.kind === 2 && s.parentSpanId)) {
      // Any other parent came from a well-formed traceparent that carried exactly these ids.
      const fromHeader = sentParents.some((p) => p.includes(`-${span.traceId}-${span.parentSpanId}-`));
      expect(fromHeader || ownClientSpans.has(span.parentSpanId), `${span.name} ${span.traceId}`).toBe(true);
    }
    const series = receiver.metrics
      .flatMap((m) => m.resourceMetrics.flatMap((rm: any) => rm.scopeMetrics.flatMap((sm: any) => sm.metrics)))
      .filter((metric: any) => metric.name === 'http.server.request.duration')
      .flatMap((metric: any) => metric.histogram.dataPoints.map(attributesOf));
    expect(series.length, 'http.server.request.duration exported').toBeGreaterThan(0);
    for (const attributes of series) {
      expect(
        Object.keys(attributes).every((k) => SERIES_KEYS.includes(k)),
        JSON.stringify(attributes),
      ).toBe(true);
      expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', '_OTHER']).toContain(attributes['http.request.method']);
      if (attributes['http.route'] !== undefined) expect(['/charges', '/admin/config', '/admin/*']).toContain(attributes['http.route']);
    }
  });
});
