import { context, trace, type Context, type Link } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';

/**
 * Only `traceparent`/`tracestate` travel in a message, never the global propagator's `baggage`: a
 * client's baggage header would otherwise be stored in Redis and copied into dead letters.
 */
const traceContext = new W3CTraceContextPropagator();
const fieldSetter = { set: (carrier: Record<string, string>, key: string, value: string) => void (carrier[key] = value) };
const fieldGetter = {
  get: (carrier: Record<string, string>, key: string) => carrier[key],
  keys: (carrier: Record<string, string>) => Object.keys(carrier),
};

/** W3C trace context of the active span as string fields, to travel inside a message. */
export function injectTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  traceContext.inject(context.active(), carrier, fieldSetter);
  return carrier;
}

/**
 * The message's creation context from its fields. The consumer makes it the parent of its process
 * span (one message per span, and the service graph pairs PRODUCER and CONSUMER spans by parent id
 * only) and links to it too, as the messaging conventions ask of a process span.
 */
export function extractTraceContext(fields: Record<string, string>): Context {
  return traceContext.extract(context.active(), fields, fieldGetter);
}

/** A link to the creation context in `fields`, none when the message carries no valid context. */
export function creationContextLinks(fields: Record<string, string>): Link[] {
  const spanContext = trace.getSpanContext(extractTraceContext(fields));
  return spanContext && trace.isSpanContextValid(spanContext) ? [{ context: spanContext }] : [];
}
