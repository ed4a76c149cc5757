import { isSpanContextValid, logs, SeverityNumber, trace, type AnyValue, type Logger } from '@opentelemetry/api';
import { ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { countException } from './exception-metrics.ts';
import { ATTR_EXCEPTION_FINGERPRINT, exceptionFingerprint, exceptionType } from './exceptions.ts';
import { INSTRUMENTATION_SCOPE } from './scope.ts';

/** Severity of each pino level (pino's numbers: trace 10 … fatal 60). */
const SEVERITY: Readonly<Record<number, SeverityNumber>> = {
  10: SeverityNumber.TRACE,
  20: SeverityNumber.DEBUG,
  30: SeverityNumber.INFO,
  40: SeverityNumber.WARN,
  50: SeverityNumber.ERROR,
  60: SeverityNumber.FATAL,
};

/** Fields of a log line that the OTLP record carries elsewhere (timestamp, severity, body, context). */
const NOT_ATTRIBUTES = new Set(['time', 'level', 'message', 'err', 'trace_id', 'span_id', 'trace_flags']);

let logger: Logger | undefined;

/** A log line as the logger already holds it: no JSON to parse. */
export interface LogLine {
  level: number;
  levelLabel: string;
  message: string | undefined;
  /** The line's fields, already redacted, plus the logger's bindings (e.g. `service`). */
  fields: Record<string, unknown>;
  bindings: Record<string, unknown>;
  /** The serialized `err` (`{type, message, stack, …}`), if the line has one. */
  error: Record<string, unknown> | undefined;
}

/**
 * Emits one log line as an OTLP log record through the Logs API, in the active context (so it
 * carries the active span's trace and span ids): severity from the level, body = the message, the
 * other fields as attributes, `err` as the record's exception (exception.type/message/stacktrace).
 * A line with `err` is how an exception is recorded (once, where it is handled: docs/errors.md), so
 * it is also counted here, in otelkit.exceptions: the record and the count cannot disagree.
 */
export function emitLogRecord(line: LogLine): void {
  logger ??= logs.getLogger(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
  const attributes: Record<string, AnyValue> = {};
  for (const key in line.bindings) attributes[key] = toAnyValue(line.bindings[key]);
  for (const key in line.fields) {
    if (NOT_ATTRIBUTES.has(key)) continue;
    const value = line.fields[key];
    if (value !== undefined) attributes[key] = toAnyValue(value);
  }
  const error = line.error;
  if (error) {
    if (typeof error.type === 'string' && typeof error.name !== 'string') error.name = error.type;
    // The class name as type, guarded (the SDK would take a `code` field as the type), and the
    // fingerprint the Errors dashboard groups by. The line's own `exception_type` field says the
    // same: Loki would turn both into one `exception_type` key, so only the record's attribute is sent.
    const type = exceptionType(error);
    const fingerprint = exceptionFingerprint(type, typeof error.stack === 'string' ? error.stack : undefined);
    attributes[ATTR_EXCEPTION_TYPE] = type;
    attributes[ATTR_EXCEPTION_FINGERPRINT] = fingerprint;
    delete attributes.exception_type;
    countException(type, fingerprint);
  }
  logger.emit({
    severityNumber: SEVERITY[line.level] ?? SeverityNumber.UNSPECIFIED,
    severityText: line.levelLabel,
    body: line.message,
    attributes,
    ...(error ? { exception: error } : {}),
  });
}

/**
 * Records an exception nothing logged (one that escaped every handler) as an error log record in the
 * active context, as the logger would: the same exception attributes and the same count.
 */
export function emitExceptionRecord(error: Error, message: string): void {
  const serialized: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message: error.message, stack: error.stack };
  if (error.name) serialized.name = error.name;
  emitLogRecord({ level: 50, levelLabel: 'error', message, fields: {}, bindings: {}, error: serialized });
}

/**
 * A field value as an attribute value, as it reads in the JSON line: primitives as they are; objects
 * (rare in our lines) through JSON, so Dates, Errors and class instances look as they do on stdout.
 * What plain JSON.stringify throws on, pino writes: a BigInt (as a number), a cycle (`[Circular]`).
 * The record says the same instead of making the log call throw.
 */
function toAnyValue(value: unknown): AnyValue {
  if (typeof value === 'bigint') return fromBigInt(value);
  if (value === null || typeof value !== 'object') return value as AnyValue;
  // The objects on the path from the root to the value being written: only those make a cycle.
  const ancestors: unknown[] = [];
  const replacer = function (this: unknown, _key: string, item: unknown): unknown {
    if (typeof item === 'bigint') return fromBigInt(item);
    if (item === null || typeof item !== 'object') return item;
    while (ancestors.length > 0 && ancestors.at(-1) !== this) ancestors.pop();
    if (ancestors.includes(item)) return '[Circular]';
    ancestors.push(item);
    return item;
  };
  return JSON.parse(JSON.stringify(value, replacer)) as AnyValue;
}

/** A number while it is exact (what the JSON line shows), else the decimal string: no silent rounding. */
function fromBigInt(value: bigint): number | string {
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value.toString();
}

/** trace_id/span_id/trace_flags of the active span, for the JSON line (empty outside a span). */
export function traceFields(): { trace_id?: string; span_id?: string; trace_flags?: string } {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const spanContext = span.spanContext();
  if (!isSpanContextValid(spanContext)) return {};
  const { traceId, spanId, traceFlags } = spanContext;
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
