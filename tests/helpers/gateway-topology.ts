/**
 * Helpers of tests/integration/gateway-topology.test.ts: Collector processes that can be stopped with
 * SIGTERM, the Collectors' own Prometheus metrics, and what the sink Collectors
 * (tests/e2e/sink-collector.yaml) wrote.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { OTELCOL_BIN } from './collector-process.ts';
import { REPO_ROOT } from './service-process.ts';

/** A Collector process (our build) with a graceful stop and its peak RSS. */
export class OtelcolProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;
  private exited = false;

  readonly name: string;

  constructor(name: string, args: string[], env: NodeJS.ProcessEnv) {
    this.name = name;
    this.child = spawn(OTELCOL_BIN, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (chunk: Buffer) => this.output.push(chunk.toString());
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.once('exit', () => {
      this.exited = true;
    });
  }

  /** Resolves once the health check extension answers 200; fails with the log tail if the process exits. */
  async ready(healthPort: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`${this.name} exited:\n${this.output.join('').slice(-3000)}`);
      try {
        if ((await fetch(`http://127.0.0.1:${healthPort}/`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${this.name} not healthy within ${timeoutMs} ms:\n${this.output.join('').slice(-3000)}`);
  }

  /** Peak resident memory of the process so far (VmHWM), in MiB. */
  /** Whether the process has exited (stopped or crashed). */
  get stopped(): boolean {
    return this.exited;
  }

  peakRssMiB(): number {
    const status = readFileSync(`/proc/${this.child.pid}/status`, 'utf8');
    return Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN) / 1024;
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 10_000): Promise<void> {
    if (this.exited) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One sample of a Collector's own metrics (Prometheus text format from its :8888-style endpoint). */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export async function scrape(port: number): Promise<Sample[]> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return text.split('\n').flatMap((line) => {
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (match === null) return [];
    const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]));
    return [{ name: match[1]!, labels, value: Number(match[3]) }];
  });
}

/** Sum of the samples named `name` whose labels include `labels` (0 when the series does not exist yet). */
export const total = (samples: Sample[], name: string, labels: Record<string, string> = {}): number =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);

/** The JSON lines of a sink file (a line still being written is skipped). */
export function jsonLines(file: string): any[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line ? [JSON.parse(line)] : [];
      } catch {
        return [];
      }
    });
}

/** trace id -> number of spans, from a sink's traces.jsonl. */
export function spansPerTrace(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of jsonLines(file))
    for (const rs of request.resourceSpans ?? [])
      for (const ss of rs.scopeSpans ?? [])
        for (const span of ss.spans ?? []) counts.set(span.traceId, (counts.get(span.traceId) ?? 0) + 1);
  return counts;
}

/** trace id -> the service.name of its spans, from a sink's traces.jsonl. */
export function servicesPerTrace(file: string): Map<string, Set<string>> {
  const services = new Map<string, Set<string>>();
  for (const request of jsonLines(file))
    for (const rs of request.resourceSpans ?? []) {
      const service = attribute(rs.resource?.attributes, 'service.name') ?? '';
      for (const ss of rs.scopeSpans ?? [])
        for (const span of ss.spans ?? []) services.set(span.traceId, (services.get(span.traceId) ?? new Set()).add(service));
    }
  return services;
}

const attribute = (attributes: any[] | undefined, key: string) => {
  const value = attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.intValue ?? value?.boolValue;
};

/**
 * The latest cumulative value of every `traces.span.metrics.calls` series in a sink's metrics.jsonl,
 * as { service, spanKind, route, statusCode, value }.
 */
export function spanMetricCalls(file: string) {
  const latest = new Map<string, { time: bigint; service: string; spanKind: string; route: string; statusCode: string; value: number }>();
  for (const request of jsonLines(file))
    for (const rm of request.resourceMetrics ?? []) {
      const service = attribute(rm.resource?.attributes, 'service.name') ?? '';
      for (const sm of rm.scopeMetrics ?? [])
        for (const metric of sm.metrics ?? []) {
          if (metric.name !== 'traces.span.metrics.calls') continue;
          for (const point of metric.sum?.dataPoints ?? []) {
            const key = `${service}|${JSON.stringify(point.attributes)}`;
            const time = BigInt(point.timeUnixNano ?? 0);
            if ((latest.get(key)?.time ?? -1n) > time) continue;
            latest.set(key, {
              time,
              service,
              spanKind: attribute(point.attributes, 'span.kind') ?? '',
              route: attribute(point.attributes, 'http.route') ?? '',
              statusCode: attribute(point.attributes, 'status.code') ?? '',
              value: Number(point.asInt ?? point.asDouble ?? 0),
            });
          }
        }
    }
  return [...latest.values()];
}

/** A fresh W3C trace id and a traceparent header that starts a sampled trace with it. */
export function newTrace(): { traceId: string; spanId: string } {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex') };
}

/** k-th quantile of `values` (nearest rank). */
export const quantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
};
