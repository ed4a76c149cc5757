import { context, propagation, type Context } from '@opentelemetry/api';

/** W3C trace context of the active span as string fields, to travel inside a message. */
export function injectTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * The producer's context from a message's fields. The consumer makes it the parent of its process
 * span (not a link too): one message per span, and the service graph pairs PRODUCER and CONSUMER
 * spans by parent id only.
 */
export function extractTraceContext(fields: Record<string, string>): Context {
  return propagation.extract(context.active(), fields);
}
