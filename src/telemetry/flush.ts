/**
 * The one handle on the telemetry shutdown: the bootstrap (src/instrumentation/sdk.ts) publishes its
 * flush-and-shutdown on this global symbol, so code that never imports the SDK can still flush.
 */
export const TELEMETRY_SHUTDOWN = Symbol.for('otelkit.telemetry.shutdown');

type Globals = Record<symbol, (() => Promise<void>) | undefined>;

/** The published shutdown, if a bootstrap ran in this process. */
export function telemetryShutdown(): (() => Promise<void>) | undefined {
  return (globalThis as Globals)[TELEMETRY_SHUTDOWN];
}

/** Publishes `shutdown` as the process's telemetry shutdown (the bootstrap, and wrappers of it). */
export function publishTelemetryShutdown(shutdown: () => Promise<void>): void {
  (globalThis as Globals)[TELEMETRY_SHUTDOWN] = shutdown;
}

/** Flushes every telemetry signal, then exits with `code`. */
export async function exitAfterFlush(code: number): Promise<never> {
  await telemetryShutdown()?.();
  process.exit(code);
}
