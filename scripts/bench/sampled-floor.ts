/**
 * The floor of what a request still pays when its trace is sampled out (the production profile keeps
 * 10%): the non-span part of the telemetry cost. Times, on the calling thread, each item the request
 * path runs with the real parent-based ratio sampler (src/instrumentation/sampler.ts) deciding "drop":
 * the sampler's decision, a sampled-out span (start, attributes, end), the same made active around an
 * awaited function, our `withSpan` under a dropped parent with and without starting the span, W3C
 * trace-context + baggage extraction, a bare context switch, the log record and the histogram record. Exporters do nothing. Prints a Markdown table (docs/performance.md).
 *   node scripts/bench/sampled-floor.ts [--iterations 200000]
 */
import { parseArgs } from 'node:util';
import { context, propagation, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { CompositePropagator, ExportResultCode, W3CBaggagePropagator, W3CTraceContextPropagator } from '@opentelemetry/core';
import { BatchLogRecordProcessor, LoggerProvider } from '@opentelemetry/sdk-logs';
import { MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { ConsistentRatioSampler, samplerFromEnv } from '../../src/instrumentation/sampler.ts';
import { setChildrenOfUnsampledDropped, withSpan } from '../../src/telemetry/tracing.ts';
import { cacheHitDurationAttributes, cacheHitServerAttributes } from './floor-attributes.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200000' } } });
const iterations = Number(values.iterations);

const noop = {
  export: (_: unknown, done: (r: { code: number }) => void) => done({ code: ExportResultCode.SUCCESS }),
  shutdown: async () => {},
  forceFlush: async () => {},
};
class IdleReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
propagation.setGlobalPropagator(new CompositePropagator({ propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()] }));
// Ratio 0: every root is dropped, so each span below is a sampled-out one (the 90% of the production profile).
const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' })!;
const tracerProvider = new TracerProvider({ sampler, spanProcessors: [new BatchSpanProcessor({ exporter: noop })] });
const tracer = tracerProvider.getTracer('otelkit');
trace.setGlobalTracerProvider(tracerProvider); // withSpan (src/telemetry/tracing.ts) uses the global tracer
const loggerProvider = new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter: noop })] });
const logger = loggerProvider.getLogger('otelkit');
const histogram = new MeterProvider({ readers: [new IdleReader()] }).getMeter('otelkit').createHistogram('http.server.request.duration');

const attributes = cacheHitServerAttributes;
const headers = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00', baggage: 'tenant=acme' };
const getter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};
const ratio = new ConsistentRatioSampler(0.1);
const ids = Array.from({ length: 1024 }, (_, i) => (i * 2654435761).toString(16).padStart(32, '0').slice(-32));

/** µs per call, after a warm-up, with an event-loop turn every 512 calls. */
async function perCall(fn: (i: number) => unknown): Promise<number> {
  for (let i = 0; i < 20_000; i++) await fn(i);
  let elapsed = 0n;
  for (let done = 0; done < iterations; done += 512) {
    const start = process.hrtime.bigint();
    for (let i = done; i < done + 512; i++) await fn(i);
    elapsed += process.hrtime.bigint() - start;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return Number(elapsed) / 1000 / iterations;
}

const awaited = async () => {
  await Promise.resolve();
};

/** Runs `measure` inside a server span the sampler dropped, with the skip of src/telemetry/tracing.ts on or off. */
async function underDroppedServerSpan<T>(skip: boolean, measure: () => Promise<T>): Promise<T> {
  setChildrenOfUnsampledDropped(skip);
  const server = tracer.startSpan('GET', { kind: SpanKind.SERVER });
  try {
    return await context.with(trace.setSpan(ROOT_CONTEXT, server), measure);
  } finally {
    server.end();
    setChildrenOfUnsampledDropped(false);
  }
}
const baseline = await perCall(awaited);
const rows: Array<[string, number]> = [
  ['sampler decision (consistent ratio 10%, one trace id)', await perCall((i) => ratio.shouldSample(ROOT_CONTEXT, ids[i & 1023]!))],
  ['W3C traceparent + baggage extraction (propagation.extract)', await perCall(() => propagation.extract(ROOT_CONTEXT, headers, getter))],
  [
    'sampled-out span: startSpan (9 attrs) + setAttribute + end',
    await perCall((i) => {
      const span = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: attributes(i) });
      span.setAttribute('http.response.status_code', 200);
      span.end();
    }),
  ],
  [
    'sampled-out span without attributes (what attributes cost a dropped span)',
    await perCall(() => {
      const span = tracer.startSpan('GET', { kind: SpanKind.SERVER });
      span.end();
    }),
  ],
  [
    'sampled-out span made active around an awaited function, minus the await alone',
    (await perCall((i) =>
      tracer.startActiveSpan('list_products', { attributes: attributes(i) }, (span) => awaited().then(() => span.end())),
    )) - baseline,
  ],
  [
    '`withSpan` under a dropped server span, the span started (and dropped by the sampler), minus the await alone',
    (await underDroppedServerSpan(false, () => perCall(() => withSpan('list_products', {}, awaited)))) - baseline,
  ],
  [
    '`withSpan` under a dropped server span, not started (droppedParent), minus the await alone',
    (await underDroppedServerSpan(true, () => perCall(() => withSpan('list_products', {}, awaited)))) - baseline,
  ],
  [
    'context.with around an awaited function (no span), minus the await alone',
    (await perCall(() =>
      context.with(
        trace.setSpan(ROOT_CONTEXT, trace.wrapSpanContext({ traceId: ids[0]!, spanId: 'b7ad6b7169203331', traceFlags: 0 })),
        awaited,
      ),
    )) - baseline,
  ],
  [
    'log record: emit (5 attrs), BatchLogRecordProcessor',
    await perCall((i) =>
      logger.emit({
        severityNumber: 9,
        body: 'request_completed',
        attributes: { request_id: `r-${i}`, status_code: 200, duration_ms: 1.2, path: '/api/products', method: 'GET' },
      }),
    ),
  ],
  ['histogram record (5 attrs)', await perCall((i) => histogram.record(0.0012, cacheHitDurationAttributes(i)))],
];
console.log(`node ${process.version}, ${iterations} iterations; the await alone: ${baseline.toFixed(2)} µs`);
console.log('| item (sampled-out request path) | µs |\n| --- | --- |');
for (const [name, us] of rows) console.log(`| ${name} | ${us.toFixed(2)} |`);
await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown()]);
