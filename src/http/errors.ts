import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import {
  ConflictError,
  DependencyUnavailableError,
  DomainError,
  InsufficientStockError,
  NotFoundError,
  PaymentDeclinedError,
  PaymentGatewayError,
  RateLimitedError,
  UnauthorizedError,
  ValidationError,
} from '../domain/errors.ts';
import type { Logger } from '../domain/ports.ts';
import { exceptionEventOnActiveSpan } from '../telemetry/tracing.ts';

const STATUS: Array<[new (...args: never[]) => DomainError, ContentfulStatusCode]> = [
  [ValidationError, 400],
  [UnauthorizedError, 401],
  [PaymentDeclinedError, 402],
  [NotFoundError, 404],
  [ConflictError, 409],
  [InsufficientStockError, 409],
  [RateLimitedError, 429],
  [PaymentGatewayError, 502],
  [DependencyUnavailableError, 503],
];

/** The one JSON error shape of every service: `{ error, message, request_id, details? }`. */
export function errorBody(c: Context, error: string, message: string, details?: unknown) {
  return { error, message, request_id: c.get('requestId') ?? null, ...(details === undefined ? {} : { details }) };
}

/**
 * Global error handler. Expected domain errors map to 4xx/5xx with their code. Anything else is
 * answered with a 500 that carries the request id and never a stack. A 5xx is where the exception
 * is handled, so it is recorded here, once: the error log line with `err` (an OTLP log record in the
 * server span's context, counted in otelkit.exceptions); the server span gets status ERROR and
 * `error.type` from the status code when it ends.
 */
export function handleError(logger: Logger) {
  return (error: Error, c: Context) => {
    if (error instanceof DomainError) {
      const status = STATUS.find(([type]) => error instanceof type)?.[1] ?? 500;
      if (error instanceof RateLimitedError) c.header('Retry-After', String(error.retryAfterSeconds));
      if (status >= 500) {
        logger.error({ err: error, error_code: error.code, exception_type: error.name }, 'request_failed');
        exceptionEventOnActiveSpan(error);
      }
      return c.json(errorBody(c, error.code, error.message, error.details), status);
    }
    if (isHttpError(error)) return c.json(errorBody(c, httpErrorCode(error.status), error.message), error.status);
    logger.error({ err: error, exception_type: error.name, path: c.req.path, method: c.req.method }, 'unhandled_exception');
    exceptionEventOnActiveSpan(error);
    return c.json(errorBody(c, 'internal_error', 'an unexpected error occurred'), 500);
  };
}

function isHttpError(error: Error): error is Error & { status: ContentfulStatusCode } {
  const status = (error as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}

function httpErrorCode(status: number): string {
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  return 'bad_request';
}

/** No route matched. Marked on the context so that no route template is reported (HTTP semconv). */
export function notFound(c: Context) {
  c.set('unmatchedRoute', true);
  return c.json(errorBody(c, 'not_found', `no route for ${c.req.method} ${c.req.path}`), 404);
}
