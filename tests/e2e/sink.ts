import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * What the Collector sent toward Tempo and Loki, as written by the sink Collector's file exporter
 * (one OTLP JSON export request per line).
 */
export class Sink {
  readonly dir: string;

  constructor(dir: string) {
    this.dir = dir;
  }

  /** The parsed lines (OTLP/JSON export requests) of one of the sink's files. */
  lines(file: string): any[] {
    const path = join(this.dir, file);
    if (!existsSync(path)) return [];
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  }

  /** Every span with its resource attributes flattened into `resource`. */
  spans(): Array<Record<string, any>> {
    return this.lines('traces.jsonl').flatMap((batch) =>
      (batch.resourceSpans ?? []).flatMap((rs: any) =>
        (rs.scopeSpans ?? []).flatMap((ss: any) => (ss.spans ?? []).map((span: any) => ({ ...span, resource: attributes(rs.resource) }))),
      ),
    );
  }

  /** The spans of a trace with a span named `name` and spans of every one of `services`; [] while none has. */
  traceAcross(name: string, services: string[]): Array<Record<string, any>> {
    const spans = this.spans();
    for (const root of spans.filter((s) => s.name === name)) {
      const inTrace = spans.filter((s) => s.traceId === root.traceId);
      const seen = new Set(inTrace.map((s) => s.resource['service.name']));
      if (services.every((service) => seen.has(service))) return inTrace;
    }
    return [];
  }

  logRecords(): Array<Record<string, any>> {
    return this.lines('logs.jsonl').flatMap((batch) =>
      (batch.resourceLogs ?? []).flatMap((rl: any) =>
        (rl.scopeLogs ?? []).flatMap((sl: any) =>
          (sl.logRecords ?? []).map((record: any) => ({ ...record, resource: attributes(rl.resource) })),
        ),
      ),
    );
  }

  /** Every sum and gauge data point, with its metric name and resource attributes. */
  metricPoints(): Array<{
    name: string;
    resource: Record<string, unknown>;
    attributes: Record<string, unknown>;
    timeUnixNano: bigint;
    value: number;
  }> {
    return this.lines('metrics.jsonl').flatMap((batch) =>
      (batch.resourceMetrics ?? []).flatMap((rm: any) =>
        (rm.scopeMetrics ?? []).flatMap((sm: any) =>
          (sm.metrics ?? []).flatMap((metric: any) =>
            ((metric.sum ?? metric.gauge)?.dataPoints ?? []).map((point: any) => ({
              name: metric.name,
              resource: attributes(rm.resource),
              attributes: attributes(point),
              timeUnixNano: BigInt(point.timeUnixNano ?? 0),
              value: Number(point.asInt ?? point.asDouble ?? 0),
            })),
          ),
        ),
      ),
    );
  }

  /** The raw text of both files, for "this secret appears nowhere" checks. */
  raw(): string {
    return ['traces.jsonl', 'logs.jsonl']
      .map((file) => (existsSync(join(this.dir, file)) ? readFileSync(join(this.dir, file), 'utf8') : ''))
      .join('\n');
  }
}

/** OTLP JSON attribute list → plain object. */
export function attributes(
  holder: { attributes?: Array<{ key: string; value: Record<string, unknown> }> } | undefined,
): Record<string, unknown> {
  return Object.fromEntries((holder?.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]));
}
