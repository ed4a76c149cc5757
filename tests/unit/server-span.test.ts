import { request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, DataPointType, MetricReader } from '@opentelemetry/sdk-metrics';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBaseApp } from '../../src/http/base-app.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { startTelemetry } from '../../src/instrumentation/sdk.ts';
import { listen } from '../../src/services/serve.ts';
import { DURATION_BUCKETS_SECONDS } from '../../src/telemetry/attributes.ts';
import { ServerRequestTelemetry } from '../../src/telemetry/http-server.ts';
import { JsonLines } from '../helpers/json-lines.ts';

/** A pull reader: the test collects when it wants the current points. */
class TestMetricReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.DELTA });
  }
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const spanProcessor = new SimpleSpanProcessor({ exporter: spans });
const records = new InMemoryLogRecordExporter();
const logProcessor = new SimpleLogRecordProcessor({ exporter: records });
const metrics = new TestMetricReader();
const stdout = new JsonLines();
let shutdown: () => Promise<void>;
let server: Server;
let port: number;

const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const PARENT_ID = 'b7ad6b7169203331';

/**
 * A request through a real socket (node:http has no client instrumentation here: the headers are
 * ours). Resolves once the span and log exports it caused are done (the first waits for the resource).
 */
async function get(path: string, headers: Record<string, string> = {}, method = 'GET'): Promise<number> {
  const status = await send(method, path, headers);
  await spanProcessor.forceFlush();
  await logProcessor.forceFlush();
  return status;
}

function send(method: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers: { 'user-agent': 'spec/1.0', ...headers } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end();
  });
}

async function durationPoints() {
  const { resourceMetrics } = await metrics.collect();
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === 'http.server.request.duration');
  return metric ? { metric, points: metric.dataPoints } : undefined;
}

beforeAll(async () => {
  shutdown = startTelemetry({
    serviceName: 'server-span-spec',
    spanProcessors: [spanProcessor],
    logRecordProcessors: [logProcessor],
    metricReaders: [metrics],
  });
  const logger = createLogger('spec', 'info', stdout);
  const app = createBaseApp({ logger, checks: [], dependencyTimeoutMs: 1_000, bodyLimitBytes: 1_024 }, (app) => {
    app.get('/items/:id', (c) => {
      logger.info({ item: c.req.param('id'), password: 'pw-spec-1' }, 'item_read');
      return c.json({ id: c.req.param('id') });
    });
    app.get('/boom', () => {
      throw new Error('boom');
    });
    // A guard in front of a group of routes (the api's tenant and rate-limit middleware on /api/*).
    app.use('/guarded/*', async (c, next) => (c.req.header('x-pass') ? next() : c.json({ error: 'refused' }, 400)));
    app.get('/guarded/items', (c) => c.json([]));
  });
  server = await listen(app, 0, '127.0.0.1');
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server?.closeAllConnections();
  await new Promise((resolve) => server?.close(resolve));
  await shutdown?.();
});

beforeEach(async () => {
  spans.reset();
  records.reset();
  stdout.lines.length = 0;
  await metrics.collect(); // start each test from an empty delta
});

describe('the server span middleware, through node:http', () => {
  it('makes one SERVER span named after the route, child of the incoming traceparent, with the HTTP semconv attributes', async () => {
    expect(await get('/items/42', { traceparent: `00-${TRACE_ID}-${PARENT_ID}-01` })).toBe(200);

    const [span, ...others] = spans.getFinishedSpans();
    expect(others).toEqual([]);
    expect(span!.name).toBe('GET /items/:id');
    expect(span!.kind).toBe(SpanKind.SERVER);
    expect(span!.spanContext().traceId).toBe(TRACE_ID);
    expect(span!.parentSpanContext?.spanId).toBe(PARENT_ID);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'http.response.status_code': 200,
      'url.path': '/items/42',
      'url.scheme': 'http',
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '127.0.0.1',
      'user_agent.original': 'spec/1.0',
      'network.protocol.version': '1.1',
    });
  });

  it('records http.server.request.duration in seconds with the semconv attributes and buckets', async () => {
    await get('/items/7');
    const found = await durationPoints();
    expect(found?.metric.descriptor.unit).toBe('s');
    expect(found?.points).toHaveLength(1);
    const point = found!.points[0]!;
    expect(point.attributes).toEqual({
      'http.request.method': 'GET',
      'http.route': '/items/:id',
      'http.response.status_code': 200,
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
    });
    expect(found!.metric.dataPointType).toBe(DataPointType.HISTOGRAM);
    expect((point.value as { buckets: { boundaries: number[] } }).buckets.boundaries).toEqual(DURATION_BUCKETS_SECONDS);
  });

  it('names an unmatched request (404) after the method alone, without http.route on span or metric', async () => {
    expect(await get('/nowhere')).toBe(404);
    const [span] = spans.getFinishedSpans();
    expect(span!.name).toBe('GET');
    expect(span!.attributes).not.toHaveProperty(['http.route']);
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    const found = await durationPoints();
    expect(found!.points.map((p) => p.attributes)).toEqual([
      { 'http.request.method': 'GET', 'http.response.status_code': 404, 'url.scheme': 'http', 'network.protocol.version': '1.1' },
    ]);
  });

  it('gives no http.route to an unknown path a middleware answered before the not-found handler (its wildcard is no route)', async () => {
    expect(await get('/guarded/nowhere')).toBe(400);
    const [span] = spans.getFinishedSpans();
    expect(span!.name).toBe('GET');
    expect(span!.attributes).not.toHaveProperty(['http.route']);
    const found = await durationPoints();
    expect(found!.points.map((p) => p.attributes['http.route'])).toEqual([undefined]);
  });

  it('marks a 5xx failed: status ERROR, error.type = the status code; the exception is one log record in its context, counted, no span event', async () => {
    expect(await get('/boom')).toBe(500);
    const [span] = spans.getFinishedSpans();
    expect(span!.name).toBe('GET /boom');
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('500');
    expect(span!.events).toEqual([]);
    const withException = records.getFinishedLogRecords().filter((r) => r.attributes['exception.type'] !== undefined);
    expect(withException.map((r) => r.body)).toEqual(['unhandled_exception']);
    const [record] = withException;
    expect(record!.spanContext).toMatchObject({ traceId: span!.spanContext().traceId, spanId: span!.spanContext().spanId });
    expect(record!.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'boom' });
    expect(String(record!.attributes['exception.stacktrace'])).toContain('Error: boom');
    const { resourceMetrics } = await metrics.collect();
    const all = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics);
    expect(all.find((m) => m.descriptor.name === 'http.server.request.duration')!.dataPoints[0]!.attributes['error.type']).toBe('500');
    const counted = all.find((m) => m.descriptor.name === 'otelkit.exceptions');
    expect(counted?.dataPoints.map((p) => [p.attributes, p.value])).toEqual([
      [{ 'exception.type': 'Error', 'exception.fingerprint': record!.attributes['exception.fingerprint'] }, 1],
    ]);
  });

  it('an exception that escaped the error handler: one record in the server span context, error.type = its type (no response)', async () => {
    const request = new ServerRequestTelemetry({
      method: 'GET',
      path: '/x',
      scheme: 'http',
      host: undefined,
      userAgent: undefined,
      clientAddress: undefined,
      protocolVersion: '1.1',
      carrier: {},
    });
    request.fail(new RangeError('escaped'));
    request.end(500, '/x');
    await spanProcessor.forceFlush();
    await logProcessor.forceFlush();
    const [span] = spans.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.ERROR);
    expect(span!.attributes['error.type']).toBe('RangeError');
    expect(span!.events).toEqual([]);
    const exported = records.getFinishedLogRecords().map((r) => [r.body, r.spanContext?.spanId, r.attributes['exception.type']]);
    expect(exported).toEqual([['unhandled_exception', span!.spanContext().spanId, 'RangeError']]);
    expect((await durationPoints())!.points[0]!.attributes['error.type']).toBe('RangeError');
  });

  it('gives a 4xx no error.type, on the span and on the metric point', async () => {
    expect(await get('/items/1', {}, 'DELETE')).toBe(405);
    const [span] = spans.getFinishedSpans();
    expect(span!.status.code).toBe(SpanStatusCode.UNSET);
    expect(span!.attributes).not.toHaveProperty(['error.type']);
    expect((await durationPoints())!.points[0]!.attributes).not.toHaveProperty(['error.type']);
  });

  it('reports a method HTTP semconv does not know as _OTHER, with the original beside it', async () => {
    expect(await get('/items/1', {}, 'PURGE')).toBe(405);
    const [span] = spans.getFinishedSpans();
    expect(span!.name).toBe('HTTP /items/:id');
    expect(span!.attributes).toMatchObject({ 'http.request.method': '_OTHER', 'http.request.method_original': 'PURGE' });
  });

  it('does not trace health probes', async () => {
    expect(await get('/health/live')).toBe(200);
    expect(spans.getFinishedSpans()).toEqual([]);
    expect(await durationPoints()).toBeUndefined();
  });

  it('keeps the request logs correlated: stdout lines and OTLP records carry the server span, redacted alike', async () => {
    await get('/items/9');
    const [span] = spans.getFinishedSpans();
    const { traceId, spanId } = span!.spanContext();
    const lines = stdout.lines.filter((l) => l.path === '/items/9');
    expect(lines.map((l) => l.message)).toEqual(['item_read', 'request_completed']);
    for (const line of lines) expect(line).toMatchObject({ trace_id: traceId, span_id: spanId, trace_flags: '01', service: 'spec' });
    expect(lines[0]!.password).toBe('[REDACTED]');

    const exported = records.getFinishedLogRecords().filter((r) => r.attributes.path === '/items/9');
    expect(exported.map((r) => r.body)).toEqual(['item_read', 'request_completed']);
    for (const record of exported) {
      expect(record.spanContext).toMatchObject({ traceId, spanId });
      expect(record.severityText).toBe('info');
      expect(record.attributes).toMatchObject({ service: 'spec', method: 'GET', request_id: lines[0]!.request_id });
      expect(record.attributes).not.toHaveProperty(['trace_id']);
    }
    expect(exported[0]!.attributes).toMatchObject({ item: '9', password: '[REDACTED]' });
    expect(JSON.stringify(exported.map((r) => r.attributes))).not.toContain('pw-spec-1');
  });
});
