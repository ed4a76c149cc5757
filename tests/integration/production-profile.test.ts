import { randomBytes } from 'node:crypto';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePorts } from '../helpers/ports.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';
import { withoutTracing } from '../../src/telemetry/tracing.ts';

/**
 * The production profile (OTELKIT_PROFILE=production, src/config/profile.ts) with the real bootstrap
 * in api, payments and worker processes, sampling 50% so both outcomes occur (the profile's 10% only
 * changes the share). What must hold whatever the sample rate:
 * - a trace is kept or dropped whole across api → payments → worker (parent-based sampling follows
 *   `traceparent` over HTTP and through the Redis stream entry);
 * - http.server.request.duration counts every served request, by route and status;
 * - every raised exception leaves its error log record (`request_failed`, with exception_type) and is
 *   counted once in otelkit.exceptions (not sampled), and each 5xx leaves its `request_completed`
 *   line, while 2xx requests leave none (REQUEST_LOG=errors-and-slow).
 */
let PORTS: Record<'api' | 'payments' | 'worker', number>;
let API = '';
const ADMIN = 'production-profile-admin-token';
const otel = (receiver: string) => ({
  OTELKIT_PROFILE: 'production',
  OTEL_TRACES_SAMPLER_ARG: '0.5',
  OTEL_EXPORTER_OTLP_ENDPOINT: receiver,
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
  OTEL_METRIC_EXPORT_INTERVAL: '500',
  OTEL_BSP_SCHEDULE_DELAY: '200',
  OTEL_BLRP_SCHEDULE_DELAY: '200',
});
const ROOTED = 24; // checkouts without traceparent: the api's sampler decides
const FLAGGED = 4; // checkouts with a caller's traceparent, per flag
const PRODUCTS = 20;
const RAISED = 3; // checkouts failing with 502 (payment gateway error): an exception each

const receiver = new OtlpJsonReceiver();
const services: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(services.map((s) => s.stop('SIGKILL').catch(() => {})));
  await receiver.close();
});

const stringAttr = (item: any, key: string) => item.attributes?.find((a: any) => a.key === key)?.value?.stringValue;
const serviceOf = (span: any) => stringAttr(span.resource, 'service.name');
const traceparent = (traceId: string, sampled: boolean) => `00-${traceId}-${randomBytes(8).toString('hex')}-${sampled ? '01' : '00'}`;

/** The latest cumulative otelkit.exceptions of `service` for one exception type, summed over fingerprints. */
function exceptionCount(service: string, type: string): number {
  const latest = new Map<string, { time: bigint; value: number }>();
  for (const body of receiver.metrics)
    for (const rm of body.resourceMetrics ?? []) {
      if (stringAttr(rm.resource, 'service.name') !== service) continue;
      for (const metric of rm.scopeMetrics.flatMap((sm: any) => sm.metrics))
        if (metric.name === 'otelkit.exceptions')
          for (const point of metric.sum?.dataPoints ?? []) {
            if (stringAttr(point, 'exception.type') !== type) continue;
            const key = JSON.stringify(point.attributes);
            const time = BigInt(point.timeUnixNano ?? 0);
            if ((latest.get(key)?.time ?? -1n) <= time) latest.set(key, { time, value: Number(point.asInt ?? point.asDouble ?? 0) });
          }
    }
  return [...latest.values()].reduce((sum, p) => sum + p.value, 0);
}

/** The api's latest cumulative http.server.request.duration counts, as "route status" → count. */
function apiRequestCounts(): Map<string, number> {
  const latest = new Map<string, number>();
  for (const body of receiver.metrics) {
    for (const rm of body.resourceMetrics ?? []) {
      if (stringAttr(rm.resource, 'service.name') !== 'api') continue;
      const metrics = rm.scopeMetrics.flatMap((sm: any) => sm.metrics).filter((m: any) => m.name === 'http.server.request.duration');
      if (metrics.length === 0) continue;
      latest.clear();
      for (const point of metrics.flatMap((m: any) => m.histogram.dataPoints)) {
        const attrs = Object.fromEntries(point.attributes.map((a: any) => [a.key, a.value.stringValue ?? a.value.intValue]));
        const key = `${attrs['http.route']} ${attrs['http.response.status_code']}`;
        latest.set(key, (latest.get(key) ?? 0) + Number(point.count));
      }
    }
  }
  return latest;
}

beforeAll(async () => {
  PORTS = await freePorts('api', 'payments', 'worker');
  API = `http://127.0.0.1:${PORTS.api}`;
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  await redis.flushDb(); // no entries of other tests for the worker to process
  await redis.close();
  const endpoint = await receiver.start();
  const common = { ...otel(endpoint), ADMIN_TOKEN: ADMIN };
  const backends = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL };
  const payments = new ServiceProcess('payments', {
    ...common,
    PORT: String(PORTS.payments),
    PAYMENTS_LATENCY_MS: '0',
    PAYMENTS_DECLINE_RATE: '0',
  });
  const api = new ServiceProcess('api', {
    ...common,
    ...backends,
    PORT: String(PORTS.api),
    PAYMENTS_URL: `http://127.0.0.1:${PORTS.payments}`,
    RATE_LIMIT_PER_MINUTE: '100000',
  });
  const worker = new ServiceProcess('worker', { ...common, ...backends, PORT: String(PORTS.worker), WORKER_BLOCK_MS: '200' });
  services.push(payments.start(), api.start(), worker.start());
  await Promise.all([
    waitForHttp(`${API}/health/ready`, api),
    waitForHttp(`http://127.0.0.1:${PORTS.payments}/health/ready`, payments),
    waitForHttp(`http://127.0.0.1:${PORTS.worker}/health/ready`, worker),
  ]);
}, 90_000);

describe('production profile: head sampling keeps traces whole, metrics and error logs stay exact', () => {
  // The test process is instrumented too (tests/helpers/test-instrumentation.ts): its fetch would
  // inject a sampled traceparent of its own. Untraced, requests carry only the headers given here.
  it('drops or keeps each trace in all three services, and counts every request and exception', { timeout: 90_000 }, () =>
    withoutTracing(async () => {
      const session = await newSession(API);
      const order = (headers: Record<string, string> = {}) =>
        call(API, 'POST', '/api/orders', {
          token: session.token,
          headers,
          body: { items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD },
        });

      const kept = Array.from({ length: FLAGGED }, () => randomBytes(16).toString('hex'));
      const dropped = Array.from({ length: FLAGGED }, () => randomBytes(16).toString('hex'));
      for (const id of kept) expect((await order({ traceparent: traceparent(id, true) })).status).toBe(201);
      for (const id of dropped) expect((await order({ traceparent: traceparent(id, false) })).status).toBe(201);
      for (let i = 0; i < ROOTED; i++) expect((await order()).status).toBe(201);
      for (let i = 0; i < PRODUCTS; i++) expect((await call(API, 'GET', '/api/products')).status).toBe(200);
      const gateway = `http://127.0.0.1:${PORTS.payments}/admin/config`;
      const failing = await fetch(gateway, {
        method: 'PUT',
        headers: { authorization: `Bearer ${ADMIN}`, 'content-type': 'application/json' },
        body: '{"failure_rate":1}',
      });
      expect(failing.status).toBe(200);
      for (let i = 0; i < RAISED; i++) expect((await order()).status).toBe(502);
      const ORDERS_OK = 2 * FLAGGED + ROOTED;

      // Metrics: every request counted, sampled or not.
      const counts = await eventually(
        apiRequestCounts,
        (c) => c.get('/api/orders 201') === ORDERS_OK && c.get('/api/orders 502') === RAISED,
        15_000,
      );
      expect(counts.get('/api/products 200')).toBe(PRODUCTS);
      expect(counts.get('/api/users 201')).toBe(1);
      expect(counts.get('/api/sessions 201')).toBe(1);

      // Traces: the caller's flag decides; every kept checkout has its api, payments and worker spans.
      const spansOf = (traceId: string) => receiver.spans().filter((s) => s.traceId === traceId);
      const services = (traceId: string) => new Set(spansOf(traceId).map(serviceOf));
      await eventually(
        () => kept.map((id) => [...services(id)].sort().join(',')),
        (s) => s.every((x) => x === 'api,payments,worker'),
        15_000,
      );
      for (const id of dropped) expect(spansOf(id), `sampled-out trace ${id}`).toEqual([]);
      for (const id of kept) expect(spansOf(id).every((s) => (s.flags ?? 1) & 1)).toBe(true);

      // Logs: an error record per raised exception, a request_completed per 5xx, none for the 2xx.
      const records = () => receiver.logRecords().filter((r) => serviceOf(r) === 'api');
      const failed = await eventually(
        () => records().filter((r) => r.body?.stringValue === 'request_failed'),
        (r) => r.length >= RAISED,
        10_000,
      );
      expect(failed.length).toBe(RAISED);
      // The exception counter (src/telemetry/exception-metrics.ts): every raised exception, sampled or not.
      const counted = await eventually(
        () => exceptionCount('api', 'PaymentGatewayError'),
        (n) => n >= RAISED,
        10_000,
      );
      expect(counted).toBe(RAISED);
      for (const record of failed)
        expect(stringAttr(record, 'exception.type'), JSON.stringify(record.attributes.map((a: any) => a.key))).toBe('PaymentGatewayError');
      // Slow requests (≥ REQUEST_LOG_SLOW_MS, 500) are logged too: the sign-up's password hash can be one.
      const numberAttr = (r: any, key: string) =>
        Number(r.attributes.find((a: any) => a.key === key)?.value?.[key === 'status_code' ? 'intValue' : 'doubleValue'] ?? Number.NaN);
      const completed = records().filter((r) => r.body?.stringValue === 'request_completed');
      expect(completed.filter((r) => numberAttr(r, 'status_code') === 502)).toHaveLength(RAISED);
      for (const record of completed.filter((r) => numberAttr(r, 'status_code') < 500))
        expect(numberAttr(record, 'duration_ms')).toBeGreaterThanOrEqual(500);

      // Rooted in the api: about half kept, each kept trace whole (api server, payments server, worker consumer).
      const apiKept = () =>
        new Set(
          receiver
            .spans()
            .filter((s) => s.name === 'POST /api/orders' && serviceOf(s) === 'api' && !kept.includes(s.traceId))
            .map((s) => s.traceId),
        );
      const rootedKept = apiKept();
      expect(rootedKept.size).toBeGreaterThan(0);
      expect(rootedKept.size).toBeLessThan(ROOTED + RAISED);
      await eventually(
        () =>
          [...rootedKept].filter(
            (id) =>
              !spansOf(id).some((s) => s.name === 'process orders.confirmations') &&
              !spansOf(id).some((s) => stringAttr(s, 'error.type') === '502'),
          ),
        (incomplete) => incomplete.length === 0,
        15_000,
      );
      for (const id of rootedKept) {
        const inTrace = spansOf(id);
        expect(new Set(inTrace.map(serviceOf)), id).toEqual(
          new Set(inTrace.some((s) => s.name === 'process orders.confirmations') ? ['api', 'payments', 'worker'] : ['api', 'payments']),
        );
        // Each kept span says with which probability it was kept: span metrics weight it by 1/p.
        for (const span of inTrace) expect(span.traceState, `${serviceOf(span)} ${span.name}`).toBe('ot=th:8');
      }
      // payments/worker spans of a trace the api dropped: none (waited for, as the api exports last).
      const strays = () =>
        receiver
          .spans()
          // Entry spans (SERVER 2, CONSUMER 5) continuing a caller's trace: the worker's own start-up
          // spans are traces of their own.
          .filter((s) => (s.kind === 2 || s.kind === 5) && s.parentSpanId && serviceOf(s) !== 'api')
          .filter((s) => !kept.includes(s.traceId) && !apiKept().has(s.traceId))
          .map((s) => `${serviceOf(s)} ${s.name} ${s.traceId}`);
      await eventually(strays, (found) => found.length === 0, 5_000);
    }),
  );
});
