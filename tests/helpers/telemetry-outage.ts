import type { Sink } from '../e2e/sink.ts';

/** The api's spans at a sink, with what the outage checks need. */
export function spansOf(sink: Sink, service: string): Array<{ spanId: string; startMs: number }> {
  return sink
    .spans()
    .filter((s) => s.resource['service.name'] === service)
    .map((s) => ({ spanId: String(s.spanId), startMs: Number(BigInt(s.startTimeUnixNano) / 1_000_000n) }));
}

/**
 * The SDK's own count of processed items (`otel.sdk.processor.span.processed`, `…log.processed`,
 * cumulative): `ok` exported, `failed` lost, by `error.type` (queue_full, or the export error's name).
 * Reads the newest point of each series of `service`.
 */
export function sdkProcessed(points: MetricPoint[], service: string, name: string) {
  const newest = new Map<string, MetricPoint>();
  for (const point of points) {
    if (point.name !== name || point.resource['service.name'] !== service) continue;
    const key = JSON.stringify(point.attributes);
    const seen = newest.get(key);
    if (!seen || point.timeUnixNano > seen.timeUnixNano) newest.set(key, point);
  }
  let ok = 0;
  const byReason: Record<string, number> = {};
  for (const point of newest.values()) {
    const reason = point.attributes['error.type'];
    if (reason === undefined) ok += point.value;
    else byReason[String(reason)] = (byReason[String(reason)] ?? 0) + point.value;
  }
  return { ok, failed: Object.values(byReason).reduce((a, b) => a + b, 0), byReason };
}

export interface MetricPoint {
  name: string;
  resource: Record<string, unknown>;
  attributes: Record<string, unknown>;
  timeUnixNano: bigint;
  value: number;
}

export interface CollectorCounters {
  /** otelcol_exporter_sent_{spans,log_records,metric_points}, per exporter, summed over signals. */
  sent: Record<string, number>;
  sendFailed: Record<string, number>;
  enqueueFailed: Record<string, number>;
  /** otelcol_exporter_queue_size per exporter. */
  queueSize: Record<string, number>;
}

/** The Collector's own counters, from its Prometheus endpoint. */
export async function collectorCounters(url: string): Promise<CollectorCounters> {
  const text = await (await fetch(url)).text();
  const result: CollectorCounters = { sent: {}, sendFailed: {}, enqueueFailed: {}, queueSize: {} };
  const families: Array<[RegExp, keyof CollectorCounters]> = [
    [/^otelcol_exporter_sent_(?:spans|log_records|metric_points)$/, 'sent'],
    [/^otelcol_exporter_send_failed_(?:spans|log_records|metric_points)$/, 'sendFailed'],
    [/^otelcol_exporter_enqueue_failed_(?:spans|log_records|metric_points)$/, 'enqueueFailed'],
    [/^otelcol_exporter_queue_size$/, 'queueSize'],
  ];
  for (const line of text.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} ([0-9.e+-]+)$/.exec(line);
    if (!match) continue;
    const family = families.find(([pattern]) => pattern.test(match[1]!));
    const exporter = /exporter="([^"]+)"/.exec(match[2]!)?.[1];
    if (!family || !exporter) continue;
    const bucket = result[family[1]];
    bucket[exporter] = (bucket[exporter] ?? 0) + Number(match[3]);
  }
  return result;
}
