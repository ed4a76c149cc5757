import { describe, expect, it } from 'vitest';
import { parseLoadArgs } from '../../src/loadgen/args.ts';
import { LoadStats } from '../../src/loadgen/stats.ts';
import { exitCodeOf, summaryJson, summaryTable } from '../../src/loadgen/summary.ts';
import { violations } from '../../src/loadgen/thresholds.ts';

// What an aborted run has recorded: only its fast sign-ins, so its "rate" is far above any target.
const token = { ADMIN_TOKEN: 'unit-admin-token-123' };
const options = parseLoadArgs(['--scenario', 'payments-failing', '--rate', '5', '--duration', '60s'], token);
const stats = new LoadStats();
for (let i = 0; i < 30; i++) stats.record('signup', 3, 201, true);
const snapshot = { ...stats.snapshot(), elapsedMs: 100, throughput: 300 };
const reason = 'payments /admin/config answered 401: {"error":"unauthorized"}';

describe('an aborted load run', () => {
  it('says it aborted and why, and neither passes thresholds nor reports a rate', () => {
    expect(violations(snapshot, options)).toEqual([]); // what the old summary printed as "passed"
    const table = summaryTable(snapshot, options, { abortReason: reason, broken: [] });
    expect(table).toContain(`ABORTED: ${reason}`);
    expect(table).not.toMatch(/\bpassed\b/);
    expect(table).not.toContain('300.0 req/s');
    expect(table).toContain('n/a (aborted)');
  });

  it('is marked aborted in the JSON summary', () => {
    const json = JSON.parse(summaryJson(snapshot, options, { abortReason: reason, broken: [] }));
    expect(json).toMatchObject({ outcome: 'aborted', abort_reason: reason, achieved_rate: null });
    expect(json.thresholds).toEqual({ evaluated: false, passed: false, violations: [] });
  });

  it('exits 3; a completed run exits 0 when thresholds hold and 1 when one breaks', () => {
    expect(exitCodeOf({ abortReason: reason, broken: [] })).toBe(3);
    expect(exitCodeOf({ broken: [] })).toBe(0);
    expect(exitCodeOf({ broken: ['p95 900 ms > 500 ms'] })).toBe(1);
    const passed = summaryTable(snapshot, options, { broken: [] });
    expect(passed).toContain('passed');
    expect(passed).toContain('300.0 req/s');
    expect(JSON.parse(summaryJson(snapshot, options, { broken: [] }))).toMatchObject({
      outcome: 'completed',
      thresholds: { passed: true },
    });
  });
});
