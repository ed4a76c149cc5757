import { createLogUpdate } from 'log-update';
import type { Snapshot } from './stats.ts';

const seconds = (ms: number) => `${(ms / 1000).toFixed(0)}s`;

/** One status line: rate, percentiles, errors, elapsed and remaining. */
export function progressLine(snapshot: Snapshot, durationMs: number): string {
  const remaining = Math.max(0, durationMs - snapshot.elapsedMs);
  return [
    `${snapshot.throughput.toFixed(1)} req/s`,
    `p50 ${snapshot.p50Ms.toFixed(1)} ms`,
    `p95 ${snapshot.p95Ms.toFixed(1)} ms`,
    `p99 ${snapshot.p99Ms.toFixed(1)} ms`,
    `errors ${snapshot.errors} (${(snapshot.errorRate * 100).toFixed(2)}%)`,
    `dropped ${snapshot.dropped}`,
    `elapsed ${seconds(snapshot.elapsedMs)}`,
    `remaining ${seconds(remaining)}`,
  ].join(' | ');
}

/**
 * Live progress: redrawn in place twice a second on a terminal; a plain line every 5 s otherwise
 * (CI logs, pipes), so logs stay readable.
 */
export function startProgress(read: () => Snapshot, durationMs: number, stream: NodeJS.WriteStream = process.stderr): () => void {
  if (stream.isTTY) {
    const render = createLogUpdate(stream);
    const timer = setInterval(() => render(progressLine(read(), durationMs)), 500);
    return () => {
      clearInterval(timer);
      render(progressLine(read(), durationMs));
      render.done();
    };
  }
  const timer = setInterval(() => stream.write(`${progressLine(read(), durationMs)}\n`), 5_000);
  return () => clearInterval(timer);
}
