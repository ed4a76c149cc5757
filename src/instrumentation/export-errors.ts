import { diag } from '@opentelemetry/api';
import { setGlobalErrorHandler } from '@opentelemetry/core';

/**
 * While the Collector is down every batch export fails, and the SDK's default handler prints each
 * failure with its stack (several lines per second per signal). This handler prints one line per
 * distinct message at most every `intervalMs`, with a count of what it held back: an outage stays
 * visible without burying the service's own logs.
 */
export function throttleExportErrors(intervalMs = 30_000): void {
  const seen = new Map<string, { last: number; suppressed: number }>();
  setGlobalErrorHandler((error) => {
    const message = error instanceof Error ? error.message : String(error);
    const key = message.slice(0, 120);
    const now = Date.now();
    const entry = seen.get(key);
    if (entry && now - entry.last < intervalMs) {
      entry.suppressed++;
      return;
    }
    const suppressed = entry?.suppressed ?? 0;
    seen.set(key, { last: now, suppressed: 0 });
    diag.error(`telemetry export failed: ${message}${suppressed ? ` (${suppressed} similar errors suppressed)` : ''}`);
  });
}
