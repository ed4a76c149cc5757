/**
 * Polls `read` until `ok` accepts its value (errors count as "not yet"), failing with the last
 * value and error after `timeoutMs`: the e2e tests wait on exporters, evaluations and alerts.
 */
export async function until<T>(
  what: string,
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  timeoutMs = 120_000,
  intervalMs = 1_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (ok(last)) return last;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`${what}: not met within ${timeoutMs / 1000}s; last: ${JSON.stringify(last)?.slice(0, 400)} ${lastError ?? ''}`);
}

/** The `ok` of a wait for data: at least one sample (series, exemplar, span). */
export const nonEmpty = (samples: unknown[]) => samples.length > 0;
