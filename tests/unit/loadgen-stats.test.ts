import { describe, expect, it } from 'vitest';
import { parseDuration, UsageError } from '../../src/cli/usage.ts';
import { parseLoadArgs, parseRatio } from '../../src/loadgen/args.ts';
import { LoadStats } from '../../src/loadgen/stats.ts';
import { violations } from '../../src/loadgen/thresholds.ts';

describe('latency percentiles', () => {
  it('reports p50/p95/p99 of recorded latencies within HDR precision', () => {
    const stats = new LoadStats();
    for (let ms = 1; ms <= 1000; ms++) stats.record('a', ms, 200, true);
    const s = stats.snapshot();
    expect(s.p50Ms).toBeCloseTo(500, -1);
    expect(s.p95Ms).toBeCloseTo(950, -1);
    expect(s.p99Ms).toBeCloseTo(990, -1);
    expect(s.completed).toBe(1000);
  });

  it('counts errors, statuses and actions', () => {
    const stats = new LoadStats();
    stats.record('order', 10, 201, true);
    stats.record('order', 20, 502, false);
    stats.record('browse', 5, 0, false);
    const s = stats.snapshot();
    expect(s.errors).toBe(2);
    expect(s.errorRate).toBeCloseTo(2 / 3);
    expect(s.byStatus).toEqual({ '201': 1, '502': 1, network_error: 1 });
    expect(s.byAction.order).toMatchObject({ count: 2, errors: 1 });
  });
});

describe('thresholds', () => {
  const stats = new LoadStats();
  for (let i = 0; i < 99; i++) stats.record('a', 100, 200, true);
  stats.record('a', 2000, 500, false);
  const snapshot = stats.snapshot();

  it('pass when every limit holds', () => {
    expect(violations(snapshot, { maxP95Ms: 500, maxErrorRate: 0.02 })).toEqual([]);
  });

  it('name each broken limit', () => {
    expect(violations(snapshot, { maxP95Ms: 50, maxP99Ms: 50, maxErrorRate: 0.005 })).toEqual([
      expect.stringMatching(/^p95 /),
      expect.stringMatching(/^p99 /),
      expect.stringMatching(/^error rate 1.00% > 0.50%/),
    ]);
  });

  it('fail a run in which nothing completed', () => {
    expect(violations(new LoadStats().snapshot(), {})).toEqual(['no request completed']);
  });
});

describe('load generator arguments', () => {
  it('parses durations, ratios and thresholds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('15')).toBe(15_000);
    expect(parseRatio('1%')).toBe(0.01);
    expect(parseRatio('0.05')).toBe(0.05);
    const options = parseLoadArgs([
      '--rate',
      '50',
      '--duration',
      '30s',
      '--ramp',
      '10s',
      '--max-p95',
      '500ms',
      '--max-error-rate',
      '1%',
      '--scenario',
      'checkout',
    ]);
    expect(options).toMatchObject({
      rate: 50,
      durationMs: 30_000,
      rampMs: 10_000,
      maxP95Ms: 500,
      maxErrorRate: 0.01,
      scenario: 'checkout',
      json: false,
    });
  });

  it('takes the target from the flag, then API_URL, then the default', () => {
    expect(parseLoadArgs([]).target).toBe('http://127.0.0.1:8080');
    expect(parseLoadArgs([], { API_URL: 'http://api:8080' }).target).toBe('http://api:8080');
    expect(parseLoadArgs(['--target', 'http://x:1'], { API_URL: 'http://api:8080' }).target).toBe('http://x:1');
  });

  it('rejects bad flags with a usage error that says what is wrong', () => {
    expect(() => parseLoadArgs(['--bogus'])).toThrow(UsageError);
    expect(() => parseLoadArgs(['--rate', 'fast'])).toThrow(/--rate must be a number/);
    expect(() => parseLoadArgs(['--rate=-1'])).toThrow(/--rate must be > 0/);
    expect(() => parseLoadArgs(['--duration', 'soon'])).toThrow(/--duration "soon" is not a duration/);
    expect(() => parseLoadArgs(['--scenario', 'chaos'])).toThrow(/--scenario must be one of/);
    expect(() => parseLoadArgs(['--max-error-rate', '150%'])).toThrow(/above 100%/);
  });
});
