import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { singleFlight, type GaugeReading } from '../../src/telemetry/gauges.ts';

/** A read whose answer the test gives when it wants: a dependency that is slow to answer. */
function slowRead() {
  const calls: Array<(readings: GaugeReading[]) => void> = [];
  const read = () => new Promise<GaugeReading[]>((resolve) => calls.push(resolve));
  return { read, calls };
}

// The clock is the test's: a wait ends when the test moves time past it, however busy the machine.
beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());
const settled = () => vi.advanceTimersByTimeAsync(0);
const up = [{ value: 1, attributes: { dependency: 'postgres' } }];
const down = [{ value: 0, attributes: { dependency: 'postgres' } }];

describe('observable gauge readings (singleFlight)', () => {
  it('a fast read is reported by the collection that started it', async () => {
    const readings = singleFlight(async () => up, 1_000);
    expect(await readings()).toEqual(up);
  });

  it('a slow read holds a collection up at most the wait, and no second read is queued behind it', async () => {
    const { read, calls } = slowRead();
    const readings = singleFlight(read, 30);
    let answer: GaugeReading[] | undefined;
    const first = readings().then((readings) => (answer = readings));
    await vi.advanceTimersByTimeAsync(29);
    expect(answer, 'still waiting for the read before the wait ends').toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(answer, 'the last readings (none yet) once the wait ends').toEqual([]);
    await first;
    // More collections while the dependency has not answered: the one read is all it gets.
    expect(await Promise.all([readings(), readings(), readings()])).toEqual([[], [], []]);
    expect(calls).toHaveLength(1);
    calls[0]!(up);
    await settled();
    // The late answer is what the next collection reports if its own read is slow too.
    const next = readings();
    expect(calls).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(30);
    expect(await next).toEqual(up);
    calls[1]!(down);
    await settled();
    const third = readings();
    expect(calls).toHaveLength(3);
    await vi.advanceTimersByTimeAsync(30);
    expect(await third).toEqual(down);
  });

  it('keeps the last readings when a read fails, and reads again next time', async () => {
    // Each successful read answers a new value, so a stale answer cannot pass for a fresh one.
    let fail = false;
    let value = 0;
    const readings = singleFlight(async () => {
      if (fail) throw new Error('connection refused');
      return [{ value: ++value }];
    }, 1_000);
    expect(await readings()).toEqual([{ value: 1 }]);
    fail = true;
    expect(await readings(), 'the last readings while the read fails').toEqual([{ value: 1 }]);
    fail = false;
    expect(await readings(), 'a fresh read once it succeeds again').toEqual([{ value: 2 }]);
  });
});
