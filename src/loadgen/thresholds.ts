import type { Snapshot } from './stats.ts';

export interface Thresholds {
  maxP95Ms?: number;
  maxP99Ms?: number;
  maxErrorRate?: number;
}

/** The thresholds a run broke, as sentences; an empty list means the run passed. */
export function violations(snapshot: Snapshot, thresholds: Thresholds): string[] {
  const broken: string[] = [];
  if (thresholds.maxP95Ms !== undefined && snapshot.p95Ms > thresholds.maxP95Ms) {
    broken.push(`p95 ${snapshot.p95Ms} ms > ${thresholds.maxP95Ms} ms`);
  }
  if (thresholds.maxP99Ms !== undefined && snapshot.p99Ms > thresholds.maxP99Ms) {
    broken.push(`p99 ${snapshot.p99Ms} ms > ${thresholds.maxP99Ms} ms`);
  }
  if (thresholds.maxErrorRate !== undefined && snapshot.errorRate > thresholds.maxErrorRate) {
    broken.push(`error rate ${(snapshot.errorRate * 100).toFixed(2)}% > ${(thresholds.maxErrorRate * 100).toFixed(2)}%`);
  }
  if (snapshot.completed === 0) broken.push('no request completed');
  return broken;
}
