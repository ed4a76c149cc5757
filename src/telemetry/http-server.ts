import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Histogram,
  type Span,
  type TextMapGetter,
} from '@opentelemetry/api';
import {
  ATTR_CLIENT_ADDRESS,
  ATTR_ERROR_TYPE,
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_REQUEST_METHOD_ORIGINAL,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_NETWORK_PROTOCOL_VERSION,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_URL_PATH,
  ATTR_URL_SCHEME,
  ATTR_USER_AGENT_ORIGINAL,
  HTTP_REQUEST_METHOD_VALUE_OTHER,
  METRIC_HTTP_SERVER_REQUEST_DURATION,
} from '@opentelemetry/semantic-conventions';
import { DURATION_BUCKETS_SECONDS } from './attributes.ts';
import { meter, tracer } from './scope.ts';
import { spanProfile, type SpanProfile } from './span-profiles.ts';
import { exceptionType } from './exceptions.ts';
import { emitExceptionRecord } from './log-records.ts';
import { markFailed } from './tracing.ts';

/** What the server span needs to know about an incoming request, read by the HTTP layer. */
export interface IncomingRequest {
  method: string;
  path: string;
  scheme: 'http' | 'https';
  /** The Host header (`host[:port]`). */
  host: string | undefined;
  userAgent: string | undefined;
  clientAddress: string | undefined;
  /** `1.1`, `2`, … */
  protocolVersion: string | undefined;
  /** Where traceparent/tracestate/baggage are read from, with the getter that reads it. */
  carrier: unknown;
  getter?: TextMapGetter;
}

/** The methods HTTP semconv knows; any other is reported as `_OTHER` with the original beside it. */
const KNOWN_METHODS = new Set(['CONNECT', 'DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'POST', 'PUT', 'QUERY', 'TRACE']);

let duration: Histogram | undefined;

/** http.server.request.duration, created on first use (after the SDK registered its MeterProvider). */
function durationHistogram(): Histogram {
  duration ??= meter().createHistogram(METRIC_HTTP_SERVER_REQUEST_DURATION, {
    description: 'Duration of HTTP server requests.',
    unit: 's',
    advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
  });
  return duration;
}

/**
 * One traced incoming request: a SERVER span (child of the caller's W3C context) and its sample of
 * http.server.request.duration, with the stable HTTP semconv attributes. The span is named after the
 * method until `end` names it after the matched route (`GET /api/users/:id`); an unmatched request
 * keeps the method alone and gets no `http.route` (HTTP semconv).
 */
export class ServerRequestTelemetry {
  readonly span: Span;
  /** The context the request's handlers run in: the server span is the active span. */
  readonly context: Context;
  private readonly started = performance.now();
  private readonly method: string;
  /** The method in the span name: semconv names a span of an unknown method `HTTP`. */
  private readonly nameMethod: string;
  private readonly metricAttributes: Attributes;
  /** Span profile labels (docs/profiling.md); undefined unless continuous profiling is on. */
  private readonly profile: SpanProfile | undefined;
  /** The type of an exception that escaped every handler (see `fail`). */
  private escaped: string | undefined;

  constructor(request: IncomingRequest) {
    const known = KNOWN_METHODS.has(request.method);
    this.method = known ? request.method : HTTP_REQUEST_METHOD_VALUE_OTHER;
    this.nameMethod = known ? request.method : 'HTTP';
    const parent = propagation.extract(ROOT_CONTEXT, request.carrier, request.getter);
    // Attributes only on a span that records: the SDK cleans start attributes before it samples, so
    // a dropped span (90% under the production profile) would pay for them all the same (measured:
    // 1.3–2.6 µs per dropped span with them, 0.6 without; a recorded span is cheaper too, set after
    // start: docs/performance.md, "The non-span part"). No sampler of ours reads attributes.
    this.span = tracer.startSpan(this.nameMethod, { kind: SpanKind.SERVER }, parent);
    if (this.span.isRecording()) this.span.setAttributes(spanAttributes(request, this.method, known));
    this.context = trace.setSpan(parent, this.span);
    this.profile = spanProfile(this.span, this.nameMethod);
    this.metricAttributes = { [ATTR_HTTP_REQUEST_METHOD]: this.method, [ATTR_URL_SCHEME]: request.scheme };
    if (request.protocolVersion) this.metricAttributes[ATTR_NETWORK_PROTOCOL_VERSION] = request.protocolVersion;
  }

  /** Runs the request's handlers with the server span active. */
  run<T>(fn: () => T): T {
    if (this.profile) return this.profile.run(() => context.with(this.context, fn));
    return context.with(this.context, fn);
  }

  /**
   * An exception escaped every handler (the error handler answers everything else): nothing logged
   * it, so its log record is written here, in the server span's context; the app produced no
   * response, so `error.type` is the exception's type (HTTP semconv), on the span and in `end`.
   */
  fail(error: unknown): void {
    const err = error instanceof Error ? error : new Error(String(error));
    this.escaped = exceptionType(err);
    context.with(this.context, () => emitExceptionRecord(err, 'unhandled_exception'));
    markFailed(this.span, err, this.escaped);
  }

  /**
   * Ends the span and records the duration. A 5xx is a failure: status ERROR and `error.type` = the
   * status code, or the exception's type when one escaped before any response (`fail`); a 4xx is
   * the client's doing and leaves the status UNSET without `error.type` (HTTP semconv).
   */
  end(statusCode: number, route: string | undefined): void {
    const seconds = (performance.now() - this.started) / 1000;
    const span = this.span;
    span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, statusCode);
    const metricAttributes = this.metricAttributes;
    metricAttributes[ATTR_HTTP_RESPONSE_STATUS_CODE] = statusCode;
    if (route !== undefined) {
      span.setAttribute(ATTR_HTTP_ROUTE, route);
      span.updateName(`${this.nameMethod} ${route}`);
      this.profile?.rename(`${this.nameMethod} ${route}`);
      metricAttributes[ATTR_HTTP_ROUTE] = route;
    }
    if (this.escaped !== undefined) {
      metricAttributes[ATTR_ERROR_TYPE] = this.escaped;
    } else if (statusCode >= 500) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.setAttribute(ATTR_ERROR_TYPE, String(statusCode));
      metricAttributes[ATTR_ERROR_TYPE] = String(statusCode);
    }
    span.end();
    durationHistogram().record(seconds, metricAttributes);
  }
}

/** The server span's request attributes (stable HTTP semconv). */
function spanAttributes(request: IncomingRequest, method: string, known: boolean): Attributes {
  const attributes: Attributes = {
    [ATTR_HTTP_REQUEST_METHOD]: method,
    [ATTR_URL_PATH]: request.path,
    [ATTR_URL_SCHEME]: request.scheme,
  };
  if (!known) attributes[ATTR_HTTP_REQUEST_METHOD_ORIGINAL] = request.method;
  if (request.host) {
    const { address, port } = splitHost(request.host, request.scheme);
    attributes[ATTR_SERVER_ADDRESS] = address;
    if (port !== undefined) attributes[ATTR_SERVER_PORT] = port;
  }
  if (request.clientAddress) attributes[ATTR_CLIENT_ADDRESS] = request.clientAddress;
  if (request.userAgent) attributes[ATTR_USER_AGENT_ORIGINAL] = request.userAgent;
  if (request.protocolVersion) attributes[ATTR_NETWORK_PROTOCOL_VERSION] = request.protocolVersion;
  return attributes;
}

/** `host[:port]` → address and port (the scheme's default port when none is given); IPv6 in brackets. */
export function splitHost(host: string, scheme: 'http' | 'https'): { address: string; port: number | undefined } {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host);
  if (!match) return { address: host, port: undefined };
  const address = match[1]!.startsWith('[') ? match[1]!.slice(1, -1) : match[1]!;
  const port = match[2] ? Number(match[2]) : scheme === 'https' ? 443 : 80;
  return { address, port };
}
