import { describe, expect, it } from 'vitest';
import { ExportErrorThrottle, MAX_TRACKED_MESSAGES } from '../../src/instrumentation/export-errors.ts';

/** A throttle on a clock the test moves, printing into an array. */
function throttle(intervalMs = 30_000) {
  let now = 0;
  const printed: string[] = [];
  const instance = new ExportErrorThrottle(
    intervalMs,
    (line) => printed.push(line),
    () => now,
  );
  return { instance, printed, advance: (ms: number) => (now += ms) };
}

describe('ExportErrorThrottle', () => {
  it('prints a message once per interval, then with the count it held back', () => {
    const { instance, printed, advance } = throttle();
    for (let i = 0; i < 5; i++) instance.handle(new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    expect(printed).toEqual(['telemetry export failed: connect ECONNREFUSED 127.0.0.1:4318']);
    advance(30_000);
    instance.handle(new Error('connect ECONNREFUSED 127.0.0.1:4318'));
    expect(printed[1]).toBe('telemetry export failed: connect ECONNREFUSED 127.0.0.1:4318 (4 similar errors suppressed)');
  });

  it('remembers a bounded number of distinct messages however many arrive, and prints what an evicted one held back', () => {
    const { instance, printed } = throttle();
    instance.handle(new Error('rejected 1 spans'));
    instance.handle(new Error('rejected 1 spans'));
    for (let i = 2; i <= 10_000; i++) instance.handle(new Error(`rejected ${i} spans`));
    expect(instance.tracked).toBeLessThanOrEqual(MAX_TRACKED_MESSAGES);
    expect(printed).toContain('telemetry export failed: rejected 1 spans (1 similar errors suppressed)');
  });
});
