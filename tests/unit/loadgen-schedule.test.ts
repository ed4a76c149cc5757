import { describe, expect, it } from 'vitest';
import { arrivalTime, arrivalsBy, rateAt, type ArrivalPlan } from '../../src/loadgen/schedule.ts';

const arrivals = (plan: ArrivalPlan) => {
  const times: number[] = [];
  for (let k = 1; ; k++) {
    const t = arrivalTime(plan, k);
    if (t === undefined) return times;
    times.push(t);
  }
};

describe('open-model arrival schedule', () => {
  it('holds a constant rate within ±5% over the run and in every second of it', () => {
    const times = arrivals({ rate: 200, fromRate: 200, rampSeconds: 0, durationSeconds: 30 });
    expect(Math.abs(times.length - 6000) / 6000).toBeLessThan(0.05);
    for (let second = 0; second < 30; second++) {
      const inSecond = times.filter((t) => t > second && t <= second + 1).length;
      expect(Math.abs(inSecond - 200) / 200).toBeLessThan(0.05);
    }
  });

  it('ramps linearly from the start rate to the target rate, then holds it', () => {
    const plan = { rate: 100, fromRate: 10, rampSeconds: 10, durationSeconds: 20 };
    const times = arrivals(plan);
    expect(times.length).toBe(Math.floor(arrivalsBy(plan, 20)));
    expect(Math.abs(times.length - (550 + 1000)) / 1550).toBeLessThan(0.05);
    const firstSecond = times.filter((t) => t <= 1).length;
    const lastRampSecond = times.filter((t) => t > 9 && t <= 10).length;
    expect(firstSecond).toBeGreaterThanOrEqual(13);
    expect(firstSecond).toBeLessThanOrEqual(15);
    expect(Math.abs(lastRampSecond - 95.5) / 95.5).toBeLessThan(0.05);
    expect(rateAt(plan, 5)).toBe(55);
    expect(rateAt(plan, 15)).toBe(100);
  });

  it('keeps arrival times increasing and inside the duration', () => {
    const times = arrivals({ rate: 50, fromRate: 1, rampSeconds: 3, durationSeconds: 5 });
    for (let i = 1; i < times.length; i++) expect(times[i]!).toBeGreaterThan(times[i - 1]!);
    expect(times.at(-1)!).toBeLessThanOrEqual(5);
  });
});
