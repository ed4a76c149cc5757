import type { Logger } from '../infra/logger.ts';
import { exceptionType } from '../telemetry/exceptions.ts';
import { endActiveSpanFailed } from '../telemetry/tracing.ts';
import { exitAfterFlush } from '../telemetry/flush.ts';

/** How long the telemetry flush may take after a crash before the process exits anyway. */
export const CRASH_FLUSH_TIMEOUT_MS = 5_000;

/**
 * The process-wide handler of errors nothing else caught: the OpenTelemetry counterpart of a
 * "global handler that reports to Sentry". An exception that escapes every request and message
 * handler, or a promise rejection nobody handles (Node's default `--unhandled-rejections=throw`
 * turns it into an uncaught exception with origin `unhandledRejection`), is
 *
 * 1. logged at level fatal as `uncaught_exception` with `origin`, `exception_type` and `err`, which
 *    becomes an OTLP log record with exception.type / message / stacktrace / fingerprint (Loki);
 * 2. if it happened inside a span, that span gets status ERROR and `error.type` and is ended: the
 *    code that would have ended it never runs again, and a span that never ends is never exported
 *    (the exception itself is in the log record, once);
 * 3. followed by a flush of every signal and exit 1: the process state is unknown after an
 *    uncaught exception (Node's own advice), so the orchestrator restarts it. The flush is bounded
 *    by CRASH_FLUSH_TIMEOUT_MS, so a Collector that is down cannot keep a broken process alive.
 */
export function handleProcessErrors(logger: Logger, exit: (code: number) => Promise<unknown> = exitAfterFlush): void {
  process.on('uncaughtException', crashListener(logger, exit));
}

/** The listener of handleProcessErrors; `forceExit` ends the process when the flush takes too long. */
export function crashListener(
  logger: Logger,
  exit: (code: number) => Promise<unknown>,
  forceExit: () => void = () => process.exit(1),
): (error: unknown, origin: string) => void {
  let crashing = false;
  return (error, origin) => {
    const err = error instanceof Error ? error : new Error(String(error));
    logger.fatal({ err, origin, exception_type: exceptionType(err) }, 'uncaught_exception');
    if (crashing) return;
    crashing = true;
    endActiveSpanFailed(err);
    setTimeout(forceExit, CRASH_FLUSH_TIMEOUT_MS).unref();
    void exit(1);
  };
}
