import * as hdr from 'hdr-histogram-js';

export interface Snapshot {
  elapsedMs: number;
  sent: number;
  completed: number;
  errors: number;
  dropped: number;
  errorRate: number;
  /** Completed requests per second over the whole run so far. */
  throughput: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  byStatus: Record<string, number>;
  byAction: Record<string, { count: number; errors: number; p95Ms: number }>;
}

const newHistogram = () => hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: 3 });

/**
 * Latencies in an HDR histogram (microseconds, 3 significant digits, up to 120 s): exact enough for
 * p99 at any rate, constant memory however long the run.
 */
export class LoadStats {
  private readonly started = performance.now();
  private readonly all = newHistogram();
  private readonly actions = new Map<string, { histogram: hdr.Histogram; errors: number }>();
  private readonly statuses = new Map<string, number>();
  sent = 0;
  completed = 0;
  errors = 0;
  dropped = 0;

  record(action: string, latencyMs: number, status: number, ok: boolean): void {
    const micros = Math.max(1, Math.round(latencyMs * 1000));
    this.completed++;
    this.all.recordValue(micros);
    let entry = this.actions.get(action);
    if (!entry) this.actions.set(action, (entry = { histogram: newHistogram(), errors: 0 }));
    entry.histogram.recordValue(micros);
    if (!ok) {
      this.errors++;
      entry.errors++;
    }
    const key = status === 0 ? 'network_error' : String(status);
    this.statuses.set(key, (this.statuses.get(key) ?? 0) + 1);
  }

  snapshot(): Snapshot {
    const elapsedMs = performance.now() - this.started;
    const ms = (micros: number) => Math.round(micros) / 1000;
    return {
      elapsedMs,
      sent: this.sent,
      completed: this.completed,
      errors: this.errors,
      dropped: this.dropped,
      errorRate: this.completed === 0 ? 0 : this.errors / this.completed,
      throughput: this.completed / Math.max(elapsedMs / 1000, 1e-3),
      p50Ms: ms(this.all.getValueAtPercentile(50)),
      p95Ms: ms(this.all.getValueAtPercentile(95)),
      p99Ms: ms(this.all.getValueAtPercentile(99)),
      maxMs: ms(this.all.maxValue),
      byStatus: Object.fromEntries([...this.statuses].sort()),
      byAction: Object.fromEntries(
        [...this.actions].map(([name, e]) => [
          name,
          { count: e.histogram.totalCount, errors: e.errors, p95Ms: ms(e.histogram.getValueAtPercentile(95)) },
        ]),
      ),
    };
  }
}
