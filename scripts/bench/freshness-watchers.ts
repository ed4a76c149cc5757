/**
 * When does a request's telemetry arrive? Watchers that note the first moment (performance.now())
 * a trace id shows up in one of the sink's JSON-lines files, and the moment a Prometheus counter
 * reaches each value.
 */
import { closeSync, existsSync, openSync, readSync } from 'node:fs';

/** Polls a growing JSON-lines file and records when each awaited trace id first appears. */
export class TraceIdWatcher {
  readonly seen = new Map<string, number>();
  private readonly awaited = new Set<string>();
  private offset = 0;
  private partial = '';
  private readonly timer: NodeJS.Timeout;
  private readonly path: string;

  constructor(path: string, intervalMs = 25) {
    this.path = path;
    this.timer = setInterval(() => this.poll(), intervalMs);
  }

  expect(traceId: string): void {
    this.awaited.add(traceId);
  }

  private poll(): void {
    if (!existsSync(this.path)) return;
    const now = performance.now();
    const fd = openSync(this.path, 'r');
    try {
      const buffer = Buffer.alloc(1 << 20);
      for (let n; (n = readSync(fd, buffer, 0, buffer.length, this.offset)) > 0;) {
        this.offset += n;
        const lines = (this.partial + buffer.toString('utf8', 0, n)).split('\n');
        this.partial = lines.pop()!;
        for (const line of lines) {
          // OTLP/JSON: byte ids are hex strings, in spans and in log records alike.
          for (const [, id] of line.matchAll(/"traceId":"([0-9a-f]{32})"/g)) {
            if (this.awaited.has(id!) && !this.seen.has(id!)) this.seen.set(id!, now);
          }
        }
      }
    } finally {
      closeSync(fd);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** Polls an instant PromQL query and records when its value first reached each integer. */
export class CounterWatcher {
  /** value → first time the query returned at least that value. */
  readonly reached = new Map<number, number>();
  private highest = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly url: string;

  constructor(prometheus: string, query: string, intervalMs = 100) {
    this.url = `${prometheus}/api/v1/query?query=${encodeURIComponent(query)}`;
    this.timer = setInterval(() => void this.poll(), intervalMs);
  }

  private async poll(): Promise<void> {
    try {
      const body = (await (await fetch(this.url, { signal: AbortSignal.timeout(2000) })).json()) as {
        data?: { result?: { value: [number, string] }[] };
      };
      const now = performance.now();
      const value = Number(body.data?.result?.[0]?.value[1] ?? 0);
      for (let v = this.highest + 1; v <= value; v++) this.reached.set(v, now);
      this.highest = Math.max(this.highest, value);
    } catch {
      // Prometheus busy or not ready: the next poll tries again
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
