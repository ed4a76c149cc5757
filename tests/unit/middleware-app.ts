import { Hono, type MiddlewareHandler } from 'hono';
import type { Session, Tenant } from '../../src/domain/model.ts';
import type { Logger, RateLimitDecision, RateLimiter, SessionStore, TenantRepository } from '../../src/domain/ports.ts';
import type { AppEnv } from '../../src/http/context.ts';
import { handleError, notFound } from '../../src/http/errors.ts';
import { requestContext } from '../../src/http/middleware/request-context.ts';
import { currentLogContext } from '../../src/telemetry/log-context.ts';

/** One call of the fake logger, with the request's log fields as they were when it was called. */
export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  fields: Record<string, unknown>;
  context: Record<string, unknown>;
}

/** A Logger (src/domain/ports.ts) that keeps every line, like pino would write it. */
export function recordingLogger(): Logger & { lines: LoggedLine[]; named(message: string): LoggedLine[] } {
  const lines: LoggedLine[] = [];
  const at =
    (level: LoggedLine['level']) =>
    (fields: object, message: string): void => {
      lines.push({ level, message, fields: { ...fields }, context: { ...currentLogContext() } });
    };
  return { lines, info: at('info'), warn: at('warn'), error: at('error'), named: (message) => lines.filter((l) => l.message === message) };
}

/** Tenants held in memory; `failing` makes find() reject like a database that is down. */
export function fakeTenants(ids: string[], failing = false): TenantRepository {
  const tenants: Tenant[] = ids.map((id) => ({ id, name: id.toUpperCase() }));
  return {
    find: async (id) => {
      if (failing) throw new Error('connection refused');
      return tenants.find((t) => t.id === id);
    },
    list: async () => tenants,
  };
}

/** Sessions by token; `failing` makes find() reject like Redis that is down. */
export function fakeSessions(sessions: Record<string, Session>, failing = false): SessionStore {
  return {
    create: async () => 'unused',
    find: async (token) => {
      if (failing) throw new Error('ECONNREFUSED 127.0.0.1:6379');
      return sessions[token];
    },
  };
}

/** A fixed-window limiter counting hits per tenant; `failing` makes hit() reject like Redis that is down. */
export function fakeLimiter(limit: number, resetSeconds = 42, failing = false): RateLimiter & { hits: string[] } {
  const counts = new Map<string, number>();
  const hits: string[] = [];
  return {
    limit,
    hits,
    hit: async (tenantId): Promise<RateLimitDecision> => {
      hits.push(tenantId);
      if (failing) throw new Error('ECONNREFUSED 127.0.0.1:6379');
      const count = (counts.get(tenantId) ?? 0) + 1;
      counts.set(tenantId, count);
      return { allowed: count <= limit, count, limit, resetSeconds };
    },
  };
}

/**
 * The smallest app around the middleware under test: request context first and the JSON error and
 * not-found handlers of every service (as createBaseApp wires them), then `middleware` on /api/*
 * and one route that echoes what the middleware put on the context.
 */
export function tinyApp(logger: Logger, ...middleware: MiddlewareHandler<AppEnv>[]): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(logger));
  if (middleware.length > 0) app.use('/api/*', ...middleware);
  app.get('/api/whoami', (c) => c.json({ tenant: c.get('tenantId') ?? null, user: c.get('session')?.userId ?? null }));
  app.notFound(notFound);
  app.onError(handleError(logger));
  return app;
}
