import type { MiddlewareHandler } from 'hono';
import { DependencyUnavailableError, UnauthorizedError } from '../../domain/errors.ts';
import type { Session } from '../../domain/model.ts';
import type { SessionStore } from '../../domain/ports.ts';
import { ATTR_USER_ID } from '../../telemetry/semconv.ts';
import { currentLogContext } from '../../telemetry/log-context.ts';
import { setActiveSpanAttributes } from '../../telemetry/tracing.ts';
import type { AppEnv } from '../context.ts';

/**
 * Bearer-token authentication: the token is looked up in the session store and must belong to the
 * request's tenant. If the store is down the answer is 503, not a misleading 401.
 */
export function authenticated(sessions: SessionStore): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer ([\w-]{16,256})$/.exec(header);
    if (!match?.[1]) throw new UnauthorizedError('unauthenticated', 'a bearer token is required');
    let session: Session | undefined;
    try {
      session = await sessions.find(match[1]);
    } catch (cause) {
      throw new DependencyUnavailableError('session_store_unavailable', 'sessions cannot be checked right now', undefined, { cause });
    }
    if (!session || session.tenantId !== c.get('tenantId'))
      throw new UnauthorizedError('unauthenticated', 'the token is invalid or expired');
    c.set('session', session);
    const fields = currentLogContext();
    if (fields) fields.user_id = session.userId;
    setActiveSpanAttributes({ [ATTR_USER_ID]: session.userId });
    await next();
  };
}
