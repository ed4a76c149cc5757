import type { CheckResult } from './check.ts';
import { sleep } from '../util/sleep.ts';

/** Time as the runner sees it; tests pass a fake one. */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};

/**
 * One look at a backend. `done: false` means "not there yet, ask again"; its result is what gets
 * reported if the deadline passes first, so the check itself words the timeout failure and hint.
 */
export interface Attempt {
  done: boolean;
  result: CheckResult;
}

/** Repeats `attempt` every `intervalMs` until it is done or the deadline has passed. */
export async function pollUntil(
  attempt: () => Promise<Attempt>,
  deadlineMs: number,
  intervalMs: number,
  clock: Clock,
): Promise<CheckResult> {
  const started = clock.now();
  for (;;) {
    const { done, result } = await attempt();
    if (done) return result;
    if (clock.now() + intervalMs > deadlineMs) {
      const waited = Math.round((clock.now() - started) / 1000);
      return { ...result, detail: `${result.detail} (waited ${waited} s)` };
    }
    await clock.sleep(intervalMs);
  }
}
