import type { MetricPoint } from './telemetry-outage.ts';

/**
 * Spans counted by span_metrics (traces_span_metrics_calls_total) for `services`: the newest point
 * of each series (cumulative), summed. Series of several connectors or gateways are kept apart by
 * their labels (tail_sampling.kept, collector.instance.id), so summing them counts each span once.
 */
export function calledSpans(points: MetricPoint[], services: string[]): number {
  const newest = new Map<string, MetricPoint>();
  for (const point of points) {
    if (point.name !== 'traces.span.metrics.calls' || !services.includes(String(point.resource['service.name']))) continue;
    const key = JSON.stringify([point.resource, point.attributes]);
    const seen = newest.get(key);
    if (!seen || point.timeUnixNano > seen.timeUnixNano) newest.set(key, point);
  }
  return [...newest.values()].reduce((sum, point) => sum + point.value, 0);
}

/** otelcol_receiver_refused_spans of a Collector (absent until something was refused: 0). */
export async function refusedSpans(metricsUrl: string): Promise<number> {
  const text = await (await fetch(metricsUrl)).text();
  return text
    .split('\n')
    .filter((line) => line.startsWith('otelcol_receiver_refused_spans{'))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

/** `--config` overrides that shrink an exporter's queue to 200 items (sizer, batching, blocking as shipped). */
export function shrunkQueue(exporter: string): string[] {
  return [
    `yaml:exporters::${exporter}::sending_queue::queue_size: 200`,
    `yaml:exporters::${exporter}::sending_queue::batch::min_size: 100`,
    `yaml:exporters::${exporter}::sending_queue::batch::max_size: 200`,
  ].flatMap((override) => ['--config', override]);
}

export interface CountReading {
  counted: number;
  exported: number;
  lost: number;
}

/**
 * Reads once a second until the SDKs have exported something and the reading stayed the same three
 * times in a row with `counted === exported`; fails with the last readings after `timeoutMs`. A
 * retried batch would leave `counted` above `exported` for good.
 */
export async function settle(read: () => CountReading, readings: string[], timeoutMs = 45_000): Promise<CountReading> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const reading = read();
    readings.push(JSON.stringify(reading));
    const stable = readings.length >= 3 && readings.slice(-3).every((r) => r === readings.at(-1));
    if (stable && reading.exported > 0 && reading.counted === reading.exported) return reading;
    if (Date.now() > deadline)
      throw new Error(`span metrics never equal to the spans the SDKs exported; last readings ${readings.slice(-3).join(', ')}`);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
  }
}
