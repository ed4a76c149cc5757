/**
 * The test twin of src/instrumentation.ts, preloaded into integration-test workers: the same SDK
 * (same instrumentations), but in-memory exporters that the tests read.
 */
const { InMemorySpanExporter, SimpleSpanProcessor } = await import('@opentelemetry/sdk-trace');
const { InMemoryLogRecordExporter, SimpleLogRecordProcessor } = await import('@opentelemetry/sdk-logs');
const { MetricReader } = await import('@opentelemetry/sdk-metrics');
const { startTelemetry } = await import('../../src/instrumentation/sdk.ts');

/** A pull reader: tests call collect() when they want the current metrics. */
class TestMetricReader extends MetricReader {
  protected override async onShutdown(): Promise<void> {}
  protected override async onForceFlush(): Promise<void> {}
}

const spans = new InMemorySpanExporter();
const logs = new InMemoryLogRecordExporter();
const metrics = new TestMetricReader();

startTelemetry({
  serviceName: 'otelkit-test',
  spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  logRecordProcessors: [new SimpleLogRecordProcessor({ exporter: logs })],
  metricReaders: [metrics],
});

(globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.test.telemetry')] = { spans, logs, metrics };
