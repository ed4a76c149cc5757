import type { Context, Hono } from 'hono';
import { errorBody } from './errors.ts';

/**
 * Answers 405 with an Allow header for a known path requested with a method it does not serve.
 * Registered last, after every route, so it only runs when no handler of that path answered.
 */
export function addMethodNotAllowed(app: Hono<any>): void {
  const allowed = new Map<string, Set<string>>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.includes('*')) continue;
    const methods = allowed.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    if (route.method === 'GET') methods.add('HEAD');
    allowed.set(route.path, methods);
  }
  for (const [path, methods] of allowed) {
    const allow = [...methods].sort().join(', ');
    app.all(path, (c: Context) => {
      c.header('Allow', allow);
      return c.json(errorBody(c, 'method_not_allowed', `${c.req.method} is not allowed on ${path}; allowed: ${allow}`), 405);
    });
  }
}
