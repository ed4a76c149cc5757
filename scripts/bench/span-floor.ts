/**
 * This machine's floor for the telemetry a request pays: µs per span (start + 10 attributes + end
 * through the BatchSpanProcessor), per log record (emit through the BatchLogRecordProcessor), per
 * histogram record with 5 attributes, and per span / record for OTLP protobuf serialisation of
 * 512-item batches. Exporters do nothing, so only the SDK's own work is timed. Prints numbers.
 *   node scripts/bench/span-floor.ts [--iterations 200000]
 */
import { parseArgs } from 'node:util';
import { context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchLogRecordProcessor, LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { AggregationTemporality, MeterProvider, MetricReader } from '@opentelemetry/sdk-metrics';
import { BatchSpanProcessor, TracerProvider, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace';
import { PACKAGE_VERSION } from '../../src/telemetry/scope.ts';
import { cacheHitDurationAttributes, cacheHitServerAttributes } from './floor-attributes.ts';

const { values } = parseArgs({ options: { iterations: { type: 'string', default: '200000' } } });
const iterations = Number(values.iterations);
const BATCH = 512;

/** A resource like a service's: name, namespace, version, environment, host, process, SDK. */
const resource = resourceFromAttributes({
  'service.name': 'api',
  'service.namespace': 'otelkit',
  'service.version': PACKAGE_VERSION,
  'deployment.environment.name': 'development',
  'host.name': 'bench-host',
  'host.arch': 'amd64',
  'process.pid': 4242,
  'process.runtime.name': 'nodejs',
  'process.runtime.version': '24.21.0',
  'telemetry.sdk.language': 'nodejs',
  'telemetry.sdk.name': 'opentelemetry',
  'telemetry.sdk.version': '3.1.0',
});

const serverAttributes = cacheHitServerAttributes;

const spanExporter = {
  collected: [] as ReadableSpan[],
  keep: false as boolean,
  export(spans: ReadableSpan[], done: (result: ExportResult) => void) {
    if (this.keep && this.collected.length < BATCH) this.collected.push(...spans.slice(0, BATCH - this.collected.length));
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
} satisfies SpanExporter & { collected: ReadableSpan[]; keep: boolean };

const logExporter = {
  collected: [] as ReadableLogRecord[],
  keep: false as boolean,
  export(records: ReadableLogRecord[], done: (result: ExportResult) => void) {
    if (this.keep && this.collected.length < BATCH) this.collected.push(...records.slice(0, BATCH - this.collected.length));
    done({ code: ExportResultCode.SUCCESS });
  },
  shutdown: async () => {},
  forceFlush: async () => {},
} satisfies LogRecordExporter & { collected: ReadableLogRecord[]; keep: boolean };

class IdleReader extends MetricReader {
  constructor() {
    super({ aggregationTemporalitySelector: () => AggregationTemporality.CUMULATIVE });
  }
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracerProvider = new TracerProvider({ resource, spanProcessors: [new BatchSpanProcessor({ exporter: spanExporter })] });
const tracer = tracerProvider.getTracer('otelkit');
const loggerProvider = new LoggerProvider({ resource, processors: [new BatchLogRecordProcessor({ exporter: logExporter })] });
const logger = loggerProvider.getLogger('otelkit');
const meterProvider = new MeterProvider({ resource, readers: [new IdleReader()] });
const histogram = meterProvider.getMeter('otelkit').createHistogram('http.server.request.duration', { unit: 's' });

/** µs per call of `fn` over `n` calls, after a warm-up; the event loop turns every 512 calls so the processors export. */
async function perCall(n: number, fn: (i: number) => void): Promise<number> {
  for (let i = 0; i < Math.min(n, 20_000); i++) fn(i);
  await new Promise((resolve) => setImmediate(resolve));
  let elapsed = 0n;
  for (let done = 0; done < n; done += BATCH) {
    const start = process.hrtime.bigint();
    for (let i = done; i < done + BATCH; i++) fn(i);
    elapsed += process.hrtime.bigint() - start;
    await tracerProvider.forceFlush();
    await loggerProvider.forceFlush();
  }
  return Number(elapsed) / 1000 / n;
}

function span(i: number): void {
  const s = tracer.startSpan('GET', { kind: SpanKind.SERVER, attributes: serverAttributes(i) });
  s.setAttribute('http.response.status_code', 200);
  s.end();
}

/** A span as our code makes one (withSpan): active for an awaited function, ended when it settles. */
async function activeSpan(i: number): Promise<void> {
  await tracer.startActiveSpan('list_products', { attributes: serverAttributes(i) }, async (s) => {
    await Promise.resolve();
    s.end();
  });
}

/** µs per awaited call of `fn`, same batching as perCall. */
async function perAsyncCall(n: number, fn: (i: number) => Promise<void>): Promise<number> {
  for (let i = 0; i < Math.min(n, 20_000); i++) await fn(i);
  let elapsed = 0n;
  for (let done = 0; done < n; done += BATCH) {
    const start = process.hrtime.bigint();
    for (let i = done; i < done + BATCH; i++) await fn(i);
    elapsed += process.hrtime.bigint() - start;
    await tracerProvider.forceFlush();
  }
  return Number(elapsed) / 1000 / n;
}

async function noSpan(): Promise<void> {
  await (async () => {
    await Promise.resolve();
  })();
}

function logRecord(i: number): void {
  logger.emit({
    severityNumber: 9,
    severityText: 'INFO',
    body: 'request completed',
    attributes: { request_id: `r-${i}`, 'http.route': '/api/products', status: 200, duration_ms: 1.2, 'tenant.id': 't-1' },
  });
}

function metricRecord(i: number): void {
  histogram.record(0.0012, cacheHitDurationAttributes(i));
}

const spanUs = await perCall(iterations, span);
const activeUs = (await perAsyncCall(iterations, activeSpan)) - (await perAsyncCall(iterations, noSpan));
const logUs = await perCall(iterations, logRecord);
const metricUs = await perCall(iterations, metricRecord);

spanExporter.keep = true;
logExporter.keep = true;
await perCall(BATCH, span);
await perCall(BATCH, logRecord);
const spans = spanExporter.collected;
const records = logExporter.collected;

function serialiseUs(rounds: number, fn: () => Uint8Array | undefined, perBatch: number): { us: number; bytes: number } {
  let bytes = 0;
  for (let i = 0; i < 20; i++) bytes = fn()!.length;
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) fn();
  return { us: Number(process.hrtime.bigint() - start) / 1000 / rounds / perBatch, bytes };
}
const batches = Math.max(20, Math.round(iterations / BATCH / 2));
const spanSer = serialiseUs(batches, () => ProtobufTraceSerializer.serializeRequest(spans), spans.length);
const logSer = serialiseUs(batches, () => ProtobufLogsSerializer.serializeRequest(records), records.length);

const rows: [string, number, string][] = [
  ['span: startSpan (9 attrs) + setAttribute + end, BatchSpanProcessor, no-op exporter', spanUs, `${iterations} spans`],
  ['span made active around an awaited function (startActiveSpan), minus the same await without it', activeUs, `${iterations} spans`],
  ['log record: emit (5 attrs), BatchLogRecordProcessor, no-op exporter', logUs, `${iterations} records`],
  ['histogram record (5 attrs, 2 series)', metricUs, `${iterations} records`],
  ['OTLP protobuf serialisation per span (512-span batch)', spanSer.us, `${spanSer.bytes} B/batch`],
  ['OTLP protobuf serialisation per log record (512-record batch)', logSer.us, `${logSer.bytes} B/batch`],
];
console.log(`node ${process.version}, ${iterations} iterations`);
console.log('| operation | µs | sample |\n| --- | --- | --- |');
for (const [name, us, sample] of rows) console.log(`| ${name} | ${us.toFixed(2)} | ${sample} |`);
const request = 4 * (spanUs + spanSer.us) + (logUs + logSer.us) + metricUs;
console.log(`floor of a cache-hit request (4 spans, 1 log record, 1 histogram record, serialised): ${request.toFixed(1)} µs`);
await Promise.all([tracerProvider.shutdown(), loggerProvider.shutdown(), meterProvider.shutdown()]);
