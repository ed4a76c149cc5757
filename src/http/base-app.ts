import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { DependencyCheck, Logger } from '../domain/ports.ts';
import type { AppEnv } from './context.ts';
import { errorBody, handleError, notFound } from './errors.ts';
import { healthRoutes } from './health.ts';
import { addMethodNotAllowed } from './method-not-allowed.ts';
import { requestContext, type RequestLogPolicy } from './middleware/request-context.ts';
import { serverSpan } from './middleware/server-span.ts';

export interface BaseAppOptions {
  logger: Logger;
  checks: DependencyCheck[];
  dependencyTimeoutMs: number;
  bodyLimitBytes: number;
  /** Which requests get a `request_completed` line (REQUEST_LOG); every request when absent. */
  requestLog?: RequestLogPolicy;
}

/** What every service shares: the server span, request context, body limit, health routes and JSON errors. */
export function createBaseApp(options: BaseAppOptions, mount: (app: Hono<AppEnv>) => void): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', serverSpan());
  app.use('*', requestContext(options.logger, options.requestLog));
  app.use(
    '*',
    bodyLimit({
      maxSize: options.bodyLimitBytes,
      onError: (c) => c.json(errorBody(c, 'payload_too_large', `the body exceeds ${options.bodyLimitBytes} bytes`), 413),
    }),
  );
  app.route('/', healthRoutes(options.checks, options.dependencyTimeoutMs));
  mount(app);
  addMethodNotAllowed(app);
  app.notFound(notFound);
  app.onError(handleError(options.logger));
  return app;
}
