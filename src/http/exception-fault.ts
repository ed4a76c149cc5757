import { Hono, type MiddlewareHandler } from 'hono';
import { z } from 'zod';
import type { AppEnv } from './context.ts';
import { adminToken } from './middleware/admin-token.ts';
import { readJson } from './validation.ts';

/**
 * The exception type the `novel_exception` fault throws: a class the shop has no other use for, so
 * on any stack it is an exception type never seen before, as after a release that ships a new bug.
 */
export class CatalogueMappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogueMappingError';
  }
}

/** The api's `novel_exception` fault (scenario `new-exception`, alert NewExceptionType). */
export class ExceptionFault {
  private on = false;

  state(): { novel_exception: boolean } {
    return { novel_exception: this.on };
  }

  set(on: boolean): { novel_exception: boolean } {
    this.on = on;
    return this.state();
  }

  /**
   * On `GET /api/products`: while the fault is on, every listing fails with a CatalogueMappingError
   * that no code catches, i.e. what a bug in a handler does: the global error handler answers 500,
   * logs `unhandled_exception` and records the exception on the server span.
   */
  middleware(): MiddlewareHandler<AppEnv> {
    return async (c, next) => {
      if (this.on)
        throw new CatalogueMappingError(
          `catalogue row of tenant ${c.get('tenantId') ?? '?'} has no price (injected fault novel_exception)`,
        );
      await next();
    };
  }
}

const schema = z.object({ novel_exception: z.boolean() });

/**
 * GET/PUT /admin/exception-fault (admin token; 404 without one): switches the `novel_exception`
 * fault. Its own resource, beside /admin/faults, whose answer keeps the shape clients rely on.
 */
export function exceptionFaultRoutes(fault: ExceptionFault, token: string | undefined): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use('/admin/exception-fault', adminToken(token));
  routes.get('/admin/exception-fault', (c) => c.json(fault.state()));
  routes.put('/admin/exception-fault', async (c) => c.json(fault.set((await readJson(c, schema)).novel_exception)));
  return routes;
}
