import { randomUUID } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import type { RequestLogMode } from '../../config/profile.ts';
import type { Logger } from '../../domain/ports.ts';
import { runWithLogContext, type LogContext } from '../../telemetry/log-context.ts';
import type { AppEnv } from '../context.ts';

/** Accepted incoming request ids: ids from other systems, but nothing that could forge a log line. */
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Which requests get a `request_completed` line: every one, or only failed (5xx) and slow ones. */
export interface RequestLogPolicy {
  mode: RequestLogMode;
  slowMs: number;
}

/**
 * Whether a finished request is logged. `errors-and-slow` (the production profile) keeps the lines
 * someone reads: 5xx answers and requests of at least `slowMs`. 4xx are the client's doing and are
 * counted, by status code, in http.server.request.duration like every other request, so dropping
 * their line loses no count (docs/telemetry.md, "Request logs").
 */
export function logsRequest(policy: RequestLogPolicy, status: number, durationMs: number): boolean {
  return policy.mode === 'all' || status >= 500 || durationMs >= policy.slowMs;
}

/**
 * Runs inside the server span of every service: takes the request id from X-Request-ID (or makes one)
 * and echoes it, binds request fields to every log line of the request, and writes one
 * `request_completed` line with status and duration (for the requests `policy` selects).
 */
export function requestContext(logger: Logger, policy: RequestLogPolicy = { mode: 'all', slowMs: 500 }): MiddlewareHandler<AppEnv> {
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
        const durationMs = performance.now() - started;
        if (logsRequest(policy, c.res.status, durationMs)) {
          logger.info({ status_code: c.res.status, duration_ms: Math.round(durationMs * 100) / 100 }, 'request_completed');
        }
      }
    });
  };
}
