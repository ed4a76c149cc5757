import { describe, expect, it } from 'vitest';
import { singleFlight, type GaugeReading } from '../../src/telemetry/gauges.ts';

/** A read whose answer the test gives when it wants: a dependency that is slow to answer. */
function slowRead() {
  const calls: Array<(readings: GaugeReading[]) => void> = [];
  const read = () => new Promise<GaugeReading[]>((resolve) => calls.push(resolve));
  return { read, calls };
}

const settled = () => new Promise((resolve) => setTimeout(resolve, 0));
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
    const started = performance.now();
    expect(await readings()).toEqual([]);
    expect(performance.now() - started).toBeLessThan(1_000);
    // More collections while the dependency has not answered: the one read is all it gets.
    expect(await Promise.all([readings(), readings(), readings()])).toEqual([[], [], []]);
    expect(calls).toHaveLength(1);
    calls[0]!(up);
    await settled();
    // The late answer is what the next collection reports if its own read is slow too.
    const next = readings();
    expect(calls).toHaveLength(2);
    expect(await next).toEqual(up);
    calls[1]!(down);
    await settled();
    expect(await readings()).toEqual(down);
    expect(calls).toHaveLength(3);
  });

  it('keeps the last readings when a read fails, and reads again next time', async () => {
    let fail = false;
    const readings = singleFlight(async () => {
      if (fail) throw new Error('connection refused');
      return [{ value: 3 }];
    }, 1_000);
    expect(await readings()).toEqual([{ value: 3 }]);
    fail = true;
    expect(await readings()).toEqual([{ value: 3 }]);
    fail = false;
    expect(await readings()).toEqual([{ value: 3 }]);
  });
});
