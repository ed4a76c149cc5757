import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { meter } from './scope.ts';

export interface GaugeReading {
  value: number;
  attributes?: Attributes;
}

/**
 * Registers an observable gauge whose callback returns the current readings. Callbacks run at each
 * collection, off the request path, so the values cost nothing per request.
 *
 * A reading that asks a dependency (a `SELECT 1`, a tenant list) can take long, e.g. when the
 * database pool is saturated and the query waits for a connection. Such a dependency must neither
 * hold up the export of every other metric nor have telemetry pile work onto it: one reading runs at
 * a time, and a collection waits for it at most FRESH_WAIT_MS, then reports the last completed
 * readings (the slow one lands in the next collection).
 */
export function observeGauge(
  name: string,
  options: { description: string; unit?: string },
  read: () => GaugeReading[] | Promise<GaugeReading[]>,
): void {
  const gauge = meter().createObservableGauge(name, options);
  const readings = singleFlight(read, FRESH_WAIT_MS);
  gauge.addCallback(async (result: ObservableResult) => {
    for (const reading of await readings()) result.observe(reading.value, reading.attributes);
  });
}

/** How long a collection waits for a fresh reading: far above a healthy probe (≈1 ms on loopback). */
export const FRESH_WAIT_MS = 250;

/**
 * Wraps `read` so that at most one call runs at a time. A caller that starts a read waits for it up to
 * `waitMs`; a caller that finds a read running, or whose wait ran out, gets the readings of the last
 * call that completed (none before the first one completes). A failed read keeps the last readings.
 */
export function singleFlight(read: () => GaugeReading[] | Promise<GaugeReading[]>, waitMs: number): () => Promise<GaugeReading[]> {
  let last: GaugeReading[] = [];
  let running: Promise<GaugeReading[]> | undefined;
  return async () => {
    if (running) return last;
    const current = (async () => read())()
      .then(
        (readings) => (last = readings),
        () => last,
      )
      .finally(() => (running = undefined));
    running = current;
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<GaugeReading[]>((resolve) => (timer = setTimeout(() => resolve(last), waitMs)));
    try {
      return await Promise.race([current, waited]);
    } finally {
      clearTimeout(timer);
    }
  };
}
