import type { InMemoryLogRecordExporter } from '@opentelemetry/sdk-logs';
import type { MetricReader, ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { InMemorySpanExporter, ReadableSpan } from '@opentelemetry/sdk-trace';

interface TestTelemetry {
  spans: InMemorySpanExporter;
  logs: InMemoryLogRecordExporter;
  metrics: MetricReader;
}

/** The in-memory exporters installed by test-instrumentation.ts; fails loudly if it was not preloaded. */
export function testTelemetry(): TestTelemetry {
  const telemetry = (globalThis as Record<symbol, unknown>)[Symbol.for('otelkit.test.telemetry')] as TestTelemetry | undefined;
  if (!telemetry) throw new Error('test telemetry missing: run integration tests with --import ./tests/helpers/test-instrumentation.ts');
  return telemetry;
}

export const finishedSpans = (): ReadableSpan[] => testTelemetry().spans.getFinishedSpans();

export const exportedLogs = () => testTelemetry().logs.getFinishedLogRecords();

export async function collectMetrics(): Promise<ResourceMetrics> {
  const { resourceMetrics, errors } = await testTelemetry().metrics.collect();
  if (errors.length > 0) throw new AggregateError(errors, 'metric collection failed');
  return resourceMetrics;
}

/** Every data point of a metric as { attributes, value } pairs. */
export async function metricPoints(name: string): Promise<Array<{ attributes: Record<string, unknown>; value: unknown }>> {
  const resourceMetrics = await collectMetrics();
  return resourceMetrics.scopeMetrics
    .flatMap((scope) => scope.metrics)
    .filter((metric) => metric.descriptor.name === name)
    .flatMap((metric) => metric.dataPoints.map((point) => ({ attributes: point.attributes, value: point.value })));
}

/** Polls `read` until `accept` holds or the deadline passes (exporters and consumers are async). */
export async function eventually<T>(read: () => T | Promise<T>, accept: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!accept(value)) {
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value: ${JSON.stringify(value)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await read();
  }
  return value;
}
