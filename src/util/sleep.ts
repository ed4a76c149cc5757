/**
 * The one sleep of the code base: resolves after `ms`, or at once when `signal` is (or becomes)
 * aborted. It never rejects, so a loop that sleeps between tries just checks its signal after it.
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}
