/**
 * Where an exception is recorded. Semantic conventions deprecate exceptions on spans for log records
 * (open-telemetry/semantic-conventions#3256, OTEP 4430): an exception is recorded once, as a log
 * record in the context of the span where it is handled or escapes, and the failing spans only get
 * status ERROR and `error.type`.
 *
 * The switch is the one semconv defines for this migration, OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN
 * (comma-separated tokens, as OTEL_SEMCONV_STABILITY_OPT_IN): `logs/dup` adds the old `exception`
 * span events next to the log records, for backends that still read them. Unlike a published
 * instrumentation (whose default must stay span events until its next major), this is application
 * code with its own dashboards and alerts, already on log records: unset and `logs` mean logs only.
 * Read on each use (exceptions are rare), so a test or an operator's restart sees the current value.
 */
export const EXCEPTION_SIGNAL_ENV = 'OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN';

/** Whether exceptions are also recorded as `exception` span events (`logs/dup`). */
export function exceptionSpanEvents(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[EXCEPTION_SIGNAL_ENV];
  if (!value) return false;
  return value.split(',').some((token) => token.trim() === 'logs/dup');
}
