import { context, propagation, trace, type Context, type Link } from '@opentelemetry/api';

/** W3C trace context of the active span as string fields, to travel inside a message. */
export function injectTraceContext(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The producer's context from a message's fields, plus a link to its span (for batch consumers). */
export function extractTraceContext(fields: Record<string, string>): { parent: Context; links: Link[] } {
  const parent = propagation.extract(context.active(), fields);
  const producer = trace.getSpanContext(parent);
  return { parent, links: producer ? [{ context: producer }] : [] };
}
