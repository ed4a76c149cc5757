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
 * code whose dashboards and alerts already read the log records: unset and `logs` mean logs only.
 * startTelemetry (src/instrumentation/sdk.ts) reads the variable: settings are read there only.
 */
export const EXCEPTION_SIGNAL_ENV = 'OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN';

let spanEvents = false;

/** Whether a value of OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN asks for span events too (`logs/dup`). */
export function wantsExceptionSpanEvents(value: string | undefined): boolean {
  return (value ?? '').split(',').some((token) => token.trim() === 'logs/dup');
}

/** Sets the switch (startTelemetry, from the environment). */
export function setExceptionSpanEvents(on: boolean): void {
  spanEvents = on;
}

/** Whether exceptions are also recorded as `exception` span events. */
export function exceptionSpanEvents(): boolean {
  return spanEvents;
}
