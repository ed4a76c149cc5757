import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';

/**
 * Hands the matched route template to the HTTP instrumentation, which then names the server span
 * `METHOD /route/:param` and adds `http.route` to the span and to http.server.request.duration.
 * (The same mechanism the Express instrumentation uses.)
 */
export function setHttpRoute(route: string): void {
  const metadata = getRPCMetadata(context.active());
  if (metadata?.type === RPCType.HTTP) metadata.route = route;
}
