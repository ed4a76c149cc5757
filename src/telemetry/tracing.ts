import {
  context,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Link,
  type Span,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/** The tracer for spans we create by hand (business operations, DB client spans, messaging). */
export const tracer = trace.getTracer('otelkit', '0.1.0');

export interface SpanOptions {
  attributes?: Attributes;
  kind?: SpanKind;
}

/**
 * Runs `fn` inside an active span and ends it, recording an exception and ERROR status when `fn`
 * throws. Expected business outcomes (a declined card) are not errors: callers mark those themselves.
 */
export function withSpan<T>(name: string, options: SpanOptions, fn: (span: Span) => Promise<T>): Promise<T> {
  return withSpanFrom(context.active(), name, options, fn);
}

/** Marks a span failed with the exception attached (type, message and stack stay on the span). */
export function recordError(span: Span, error: unknown): void {
  const err = error instanceof Error ? error : new Error(String(error));
  span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err.message });
  span.setAttribute('error.type', errorType(err));
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

/** Like withSpan, but the span's parent is `parent` (a context extracted from a message). */
export async function withSpanFrom<T>(
  parent: Context,
  name: string,
  options: SpanOptions & { links?: Link[] },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const spanOptions = { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes ?? {}, links: options.links ?? [] };
  return tracer.startActiveSpan(name, spanOptions, parent, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      recordError(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Records an exception on the active span (in a handler: the HTTP server span). */
export function recordErrorOnActiveSpan(error: unknown): void {
  const span = trace.getActiveSpan();
  if (span) recordError(span, error);
}

/** Runs `fn` with tracing suppressed: probes and metric callbacks must not start root spans. */
export function withoutTracing<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(suppressTracing(context.active()), fn);
}

/** Runs `fn` outside the current trace: work that outlives the request starts its own traces. */
export function detachedFromTrace<T>(fn: () => Promise<T>): Promise<T> {
  return context.with(ROOT_CONTEXT, fn);
}
