import { describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';

/** A deterministic random source cycling through the given values. */
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[i++ % values.length]!;
};

describe('GatewaySimulator', () => {
  it('fails, declines or approves according to the configured rates', () => {
    const simulator = new GatewaySimulator(
      { latencyMs: 100, failureRate: 0.5, declineRate: 0.5 },
      sequence(0.5, 0.1, 0.5, 0.9, 0.2, 0.5, 0.9, 0.9),
    );
    expect(simulator.decide().kind).toBe('failed');
    expect(simulator.decide().kind).toBe('declined');
    expect(simulator.decide().kind).toBe('approved');
  });

  it('applies ±20% latency jitter and never a negative latency', () => {
    const low = new GatewaySimulator({ latencyMs: 100, failureRate: 0, declineRate: 0 }, sequence(0, 0.99, 0.99));
    const high = new GatewaySimulator({ latencyMs: 100, failureRate: 0, declineRate: 0 }, sequence(1, 0.99, 0.99));
    expect(low.decide().latencyMs).toBe(80);
    expect(high.decide().latencyMs).toBe(120);
  });

  it('changes behaviour at runtime', () => {
    const simulator = new GatewaySimulator({ latencyMs: 0, failureRate: 0, declineRate: 0 });
    expect(simulator.update({ failureRate: 1 })).toEqual({ latencyMs: 0, failureRate: 1, declineRate: 0 });
    expect(simulator.decide().kind).toBe('failed');
  });

  it('observes the failure rate over many charges', () => {
    // A seeded generator (mulberry32): the same draws on every run, so the result is the rate's, never luck.
    let seed = 17;
    const seeded = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
    };
    const simulator = new GatewaySimulator({ latencyMs: 0, failureRate: 0.3, declineRate: 0 }, seeded);
    const failed = Array.from({ length: 20_000 }, () => simulator.decide()).filter((o) => o.kind === 'failed').length;
    expect(failed / 20_000).toBeGreaterThan(0.27);
    expect(failed / 20_000).toBeLessThan(0.33);
  });
});
