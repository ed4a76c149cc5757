import { describe, expect, it } from 'vitest';
import { authenticated } from '../../src/http/middleware/auth.ts';
import { tenant } from '../../src/http/middleware/tenant.ts';
import { fakeSessions, fakeTenants, recordingLogger, tinyApp } from './middleware-app.ts';

const TOKEN = 'tok_acme_0123456789abcdef';
const GLOBEX_TOKEN = 'tok_globex_0123456789abcdef';
const REQUEST_ID = 'req-auth-1';
const sessions = { [TOKEN]: { userId: 'user-1', tenantId: 'acme' }, [GLOBEX_TOKEN]: { userId: 'user-2', tenantId: 'globex' } };

const setup = (failing = false) => {
  const logger = recordingLogger();
  return { logger, app: tinyApp(logger, tenant(fakeTenants(['acme', 'globex'])), authenticated(fakeSessions(sessions, failing))) };
};
const whoami = (app: ReturnType<typeof setup>['app'], authorization?: string) =>
  app.request('/api/whoami', {
    headers: { 'x-tenant-id': 'acme', 'x-request-id': REQUEST_ID, ...(authorization === undefined ? {} : { authorization }) },
  });

describe('auth middleware (bearer session token)', () => {
  it('puts the session on the context and the user id on the log lines', async () => {
    const { app, logger } = setup();
    const res = await whoami(app, `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: 'acme', user: 'user-1' });
    expect(logger.named('request_completed')[0]!.context).toMatchObject({ tenant_id: 'acme', user_id: 'user-1', request_id: REQUEST_ID });
  });

  it.each([
    ['no Authorization header', undefined, 'a bearer token is required'],
    ['another scheme', `Basic ${TOKEN}`, 'a bearer token is required'],
    ['a token too short to be one', 'Bearer abc', 'a bearer token is required'],
    ['an unknown token', 'Bearer tok_unknown_0123456789', 'the token is invalid or expired'],
    ["another tenant's token", `Bearer ${GLOBEX_TOKEN}`, 'the token is invalid or expired'],
  ])('answers %s with 401 and the request id', async (_case, authorization, message) => {
    const { app } = setup();
    const res = await whoami(app, authorization);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'unauthenticated', message, request_id: REQUEST_ID });
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
  });

  it('answers 503, not a misleading 401, when the session store is down, and logs it', async () => {
    const { app, logger } = setup(true);
    const res = await whoami(app, `Bearer ${TOKEN}`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: 'session_store_unavailable',
      message: 'sessions cannot be checked right now',
      request_id: REQUEST_ID,
    });
    expect(logger.named('request_failed')).toEqual([
      expect.objectContaining({ level: 'error', fields: expect.objectContaining({ error_code: 'session_store_unavailable' }) }),
    ]);
  });
});
