import { diag } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';

/**
 * How many distinct messages the throttle remembers. Export errors can carry values (a count of
 * rejected items, an address, a status text), so over a long outage the distinct messages are not a
 * fixed set: without a bound the throttle itself would grow for as long as the process lives.
 */
export const MAX_TRACKED_MESSAGES = 100;

interface Seen {
  last: number;
  suppressed: number;
}

/**
 * While the Collector is down every batch export fails, and the SDK's default handler prints each
 * failure with its stack (several lines per second per signal). This throttle prints one line per
 * distinct message at most every `intervalMs`, with a count of what it held back: an outage stays
 * visible without burying the service's own logs.
 */
export class ExportErrorThrottle {
  // Insertion order is the order of the last printed line: the first entry is the stalest.
  private readonly seen = new Map<string, Seen>();
  private readonly intervalMs: number;
  private readonly print: (line: string) => void;
  private readonly now: () => number;

  constructor(intervalMs: number, print: (line: string) => void, now: () => number = Date.now) {
    this.intervalMs = intervalMs;
    this.print = print;
    this.now = now;
  }

  /** Distinct messages remembered now (at most MAX_TRACKED_MESSAGES). */
  get tracked(): number {
    return this.seen.size;
  }

  handle(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const key = message.slice(0, 120);
    const now = this.now();
    const entry = this.seen.get(key);
    if (entry && now - entry.last < this.intervalMs) {
      entry.suppressed++;
      return;
    }
    this.seen.delete(key);
    if (this.seen.size >= MAX_TRACKED_MESSAGES) this.evictStalest();
    this.seen.set(key, { last: now, suppressed: 0 });
    this.print(line(message, entry?.suppressed ?? 0));
  }

  /** Forgets the message printed longest ago; what it held back is printed now rather than lost. */
  private evictStalest(): void {
    const [key, stalest] = this.seen.entries().next().value as [string, Seen];
    this.seen.delete(key);
    if (stalest.suppressed > 0) this.print(line(key, stalest.suppressed));
  }
}

const line = (message: string, suppressed: number) =>
  `telemetry export failed: ${message}${suppressed ? ` (${suppressed} similar errors suppressed)` : ''}`;

/** Installs the throttle as OpenTelemetry's global error handler, printing through `diag`. */
export function throttleExportErrors(intervalMs = 30_000): void {
  const throttle = new ExportErrorThrottle(intervalMs, (text) => diag.error(text));
  setGlobalErrorHandler((error) => throttle.handle(error));
}
