import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { Logger } from '../../domain/ports.ts';
import { runWithLogContext, type LogContext } from '../../telemetry/log-context.ts';
import type { AppEnv } from '../context.ts';

/** Accepted incoming request ids: ids from other systems, but nothing that could forge a log line. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Runs inside the server span of every service: takes the request id from X-Request-ID (or makes one)
 * and echoes it, binds request fields to every log line of the request, and writes one
 * `request_completed` line with status and duration.
 */
export function requestContext(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const incoming = c.req.header('x-request-id');
    const requestId = incoming && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    c.set('requestId', requestId);
    const fields: LogContext = { request_id: requestId, path: c.req.path, method: c.req.method };
    await runWithLogContext(fields, async () => {
      try {
        await next();
      } finally {
        c.header('X-Request-ID', requestId);
        logger.info({ status_code: c.res.status, duration_ms: Math.round((performance.now() - started) * 100) / 100 }, 'request_completed');
      }
    });
  };
}
