import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { ServerRequestTelemetry } from '../../telemetry/http-server.ts';
import { withoutTracing } from '../../telemetry/tracing.ts';
import type { AppEnv } from '../context.ts';

/** Incoming requests that are not traced: probes would otherwise drown the traces of real work. */
const UNTRACED_PATHS = /^\/health\//;

/** Reads propagation headers from a Fetch `Headers` (requests that did not come through node:http). */
const fetchHeadersGetter = {
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
  keys: (headers: Headers) => [...headers.keys()],
};

/**
 * First middleware of every service: the HTTP server span and http.server.request.duration, with the
 * caller's W3C trace context (traceparent, tracestate, baggage) as parent. It replaces the node:http
 * instrumentation, which did the same work on every request plus its own (measured: more than half
 * of the telemetry cost of a cheap request). The span therefore starts when Hono gets the request,
 * after node:http has parsed it, and ends when the response is handed back to node:http.
 * `/health/*` is not traced, and the DB/Redis calls of probes are not either.
 */
export function serverSpan(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (UNTRACED_PATHS.test(c.req.path)) return withoutTracing(next);
    // @hono/node-server hands the node:http request over as `c.env.incoming`: its headers are a plain
    // object (no Fetch Headers built); `app.request()` in tests has none, so the Fetch headers serve.
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    const telemetry = new ServerRequestTelemetry({
      method: c.req.method,
      path: c.req.path,
      scheme: 'http',
      host: incoming ? incoming.headers.host : c.req.header('host'),
      userAgent: incoming ? incoming.headers['user-agent'] : c.req.header('user-agent'),
      clientAddress: incoming?.socket?.remoteAddress,
      protocolVersion: incoming?.httpVersion,
      carrier: incoming ? incoming.headers : c.req.raw.headers,
      ...(incoming ? {} : { getter: fetchHeadersGetter }),
    });
    try {
      await telemetry.run(next);
    } catch (error) {
      // Hono's onError answers every error; this only catches what escapes it.
      telemetry.fail(error);
      telemetry.end(500, matchedRoute(c));
      throw error;
    }
    telemetry.end(c.res.status, matchedRoute(c));
  };
}

/**
 * The matched route template, or none for an unmatched request: its last matched path is a
 * middleware's (`/api/*`), and HTTP semconv then wants no http.route and a span named after the
 * method alone. A request a middleware answers before the not-found handler runs (a bad tenant on
 * an unknown path) also ends on a middleware's wildcard: no route template ends in `*`.
 */
function matchedRoute(c: Parameters<MiddlewareHandler<AppEnv>>[0]): string | undefined {
  if (c.get('unmatchedRoute')) return undefined;
  const route = routePath(c, -1);
  return route && !route.endsWith('*') ? route : undefined;
}
