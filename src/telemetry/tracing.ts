import {
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  TraceFlags,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { exceptionSpanEvents } from './exception-signal.ts';
import { exceptionAttributes } from './exceptions.ts';
import { tracer } from './scope.ts';

export { tracer };

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
}

/**
 * Runs `fn` inside an active span and ends it. When `fn` throws a failure, the span gets status
 * ERROR and `error.type` (the exception itself is recorded once, as a log record, where it is
 * handled); when it throws an expected outcome (see isExpectedOutcome), the span stays as it is:
 * UNSET, no `error.type`, the outcome in the domain attributes the code sets. Under a parent the
 * sampler dropped, no span is started: `fn` runs under that parent (see droppedParent).
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  const active = context.active();
  const parent = droppedParent(active);
  if (parent) return runUnder(parent, fn);
  return withSpanFrom(active, name, options, fn);
}

/**
 * Set by the bootstrap (src/instrumentation/sdk.ts) when the configured sampler drops every child of
 * a local span it did not sample (parent-based and trace-id ratio samplers: sampler.ts says which).
 */
let childrenOfUnsampledDropped = false;
export function setChildrenOfUnsampledDropped(dropped: boolean): void {
  childrenOfUnsampledDropped = dropped;
}

/**
 * The active span when a child started now would be dropped anyway: a valid local span the sampler
 * did not keep. Under head sampling 90% of requests take this path, so spans of ours are then not
 * started at all (no id, no sampler call, no span object, no context switch: ≈ 1.5 µs each, measured
 * in docs/performance.md); the work runs under the parent, whose every method is a no-op, and anything
 * propagated downstream still carries the parent's trace id and its unsampled flag.
 */
export function droppedParent(active: Context = context.active()): Span | undefined {
  if (!childrenOfUnsampledDropped) return undefined;
  const span = trace.getSpan(active);
  if (span === undefined || span.isRecording()) return undefined;
  const spanContext = span.spanContext();
  if (spanContext.isRemote || (spanContext.traceFlags & TraceFlags.SAMPLED) !== 0 || !isSpanContextValid(spanContext)) return undefined;
  return span;
}

function runUnder<T>(parent: Span, fn: (span: Span) => Promise<T>): Promise<T> {
  try {
    return fn(parent);
  } catch (error) {
    return Promise.reject(error);
  }
}

/**
 * Marks a span failed: status ERROR and `error.type`. No exception on the span: semconv records an
 * exception once, as a log record where it is handled (docs/errors.md), not on every span it
 * crossed. With OTEL_SEMCONV_EXCEPTION_SIGNAL_OPT_IN=logs/dup the old `exception` event is added too.
 */
export function markFailed(span: Span, error: unknown, type?: string): void {
  const err = error instanceof Error ? error : new Error(String(error));
  addExceptionEvent(span, err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.setAttribute(ATTR_ERROR_TYPE, type ?? errorType(err));
}

/**
 * The compatibility span event (`logs/dup` only): `exception` with type, message, stack and our
 * `exception.fingerprint` (src/telemetry/exceptions.ts), which `span.recordException` cannot add.
 */
function addExceptionEvent(span: Span, error: Error): void {
  if (exceptionSpanEvents()) span.addEvent('exception', exceptionAttributes(error));
}

/**
 * Whether `error` is an outcome the application answers by design (a declined card, a taken email,
 * a wrong password, an unknown id) rather than a failure. Domain errors say so with
 * `expectedOutcome: true`; telemetry reads the flag without importing the domain.
 */
export function isExpectedOutcome(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { expectedOutcome?: unknown }).expectedOutcome === true;
}

/**
 * What a span records about an error that ended its operation: an expected outcome nothing (the
 * operation did what it should; recording-errors.md: no error status, no `error.type`); a failure
 * status ERROR and `error.type`.
 */
export function recordOutcome(span: Span, error: unknown): void {
  if (!isExpectedOutcome(error)) markFailed(span, error);
}

/** A low-cardinality error type: a stable code when the error carries one, else its class name. */
export function errorType(error: Error): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && code.length <= 40 ? code : error.name || 'Error';
}

/** Sets attributes on the active span, if there is one (middleware adds tenant/user ids this way). */
export function setActiveSpanAttributes(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

export { SpanKind, SpanStatusCode };
export type { Span };

/** Like withSpan, but the span's parent is `parent` (a context extracted from a message). */
export async function withSpanFrom<T>(
  parent: Context,
  name: string,
  options: SpanOptions & { links?: Link[] },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  // Attributes only when the span records (as the server span: http-server.ts): the SDK would clean
  // them before sampling even for a span it then drops.
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, links: options.links ?? [] };
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    if (options.attributes && span.isRecording()) span.setAttributes(options.attributes);
    try {
      return await fn(span);
    } catch (error) {
      recordOutcome(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/**
 * For the crash handler: the active span failed with `error` and its own code will never end it, so
 * it gets status ERROR and `error.type` and is ended here (the exception is the crash's log record).
 */
export function endActiveSpanFailed(error: Error): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.setAttribute(ATTR_ERROR_TYPE, errorType(error));
  span.end();
}

/**
 * Where a handler records an exception (its log record), the compatibility span event on the active
 * span too (in a request handler: the server span, whose status its response code sets).
 */
export function exceptionEventOnActiveSpan(error: unknown): void {
  const span = trace.getActiveSpan();
  if (span) addExceptionEvent(span, error instanceof Error ? error : new Error(String(error)));
}

/** Runs `fn` with tracing suppressed: probes and metric callbacks must not start root spans. */
export function withoutTracing<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

/** Runs `fn` outside the current trace: work that outlives the request starts its own traces. */
export function detachedFromTrace<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(ROOT_CONTEXT, fn);
}
