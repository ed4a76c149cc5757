import { Hono } from 'hono';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { AppEnv } from '../../src/http/context.ts';
import { handleError, notFound } from '../../src/http/errors.ts';
import { loginRateLimit } from '../../src/http/middleware/login-rate-limit.ts';
import { requestContext } from '../../src/http/middleware/request-context.ts';
import { tenant } from '../../src/http/middleware/tenant.ts';
import { readJson } from '../../src/http/validation.ts';
import { fakeLimiter, fakeTenants, recordingLogger } from './middleware-app.ts';

/** The login route's shape: the middleware in front, a handler that counts the logins that got through (to the hash). */
function setup(perClient: number, perAccount: number, failing = false) {
  const logger = recordingLogger();
  const limiters = { perClient: fakeLimiter(perClient, 17, failing), perAccount: fakeLimiter(perAccount, 23, failing) };
  const reached: string[] = [];
  const app = new Hono<AppEnv>();
  app.use('*', requestContext(logger));
  app.use('/api/*', tenant(fakeTenants(['acme', 'globex'])));
  app.use('/api/sessions', loginRateLimit(limiters, logger));
  app.post('/api/sessions', async (c) => {
    const { email } = await readJson(c, z.object({ email: z.email(), password: z.string() }));
    reached.push(email);
    return c.json({ token: 't' }, 201);
  });
  app.notFound(notFound);
  app.onError(handleError(logger));
  const login = (email: string, { address = '10.0.0.1', tenantId = 'acme', requestId = 'req-login' } = {}) =>
    app.request(
      '/api/sessions',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-tenant-id': tenantId, 'x-request-id': requestId },
        body: JSON.stringify({ email, password: 'guess' }),
      },
      // What @hono/node-server hands the app: the node:http request, whose socket has the peer address.
      { incoming: { socket: { remoteAddress: address } } },
    );
  return { app, login, limiters, logger, reached };
}

const REFUSED = { error: 'rate_limited', message: 'too many login attempts; try again later' };

describe('login rate limit (per account and per client)', () => {
  it('refuses the attempt past the per-account limit with 429 JSON, Retry-After and the request id, before the handler runs', async () => {
    const { login, reached } = setup(100, 2);
    expect((await login('ann@example.com', { address: '10.0.0.1' })).status).toBe(201);
    // The same account from another address, with the email in other case, is the same account.
    expect((await login('ANN@example.com', { address: '10.0.0.2' })).status).toBe(201);
    const refused = await login('ann@example.com', { address: '10.0.0.3', requestId: 'req-login-3' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('23');
    expect(refused.headers.get('x-request-id')).toBe('req-login-3');
    expect(await refused.json()).toEqual({ ...REFUSED, request_id: 'req-login-3' });
    expect(reached).toEqual(['ann@example.com', 'ANN@example.com']);
    // Another account, and the same email in another tenant, have their own counters.
    expect((await login('bob@example.com', { address: '10.0.0.3' })).status).toBe(201);
    expect((await login('ann@example.com', { tenantId: 'globex' })).status).toBe(201);
  });

  it('refuses the attempt past the per-client limit, whatever the email, with the same answer', async () => {
    const { login, reached } = setup(2, 100);
    expect((await login('a@example.com')).status).toBe(201);
    expect((await login('b@example.com')).status).toBe(201);
    const refused = await login('c@example.com', { requestId: 'req-client-3' });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('17');
    expect(await refused.json()).toEqual({ ...REFUSED, request_id: 'req-client-3' });
    expect(reached).toEqual(['a@example.com', 'b@example.com']);
    expect((await login('c@example.com', { address: '10.0.0.9' })).status).toBe(201);
  });

  it('keys the counters by digests: no email or address reaches Redis (or its spans)', async () => {
    const { login, limiters } = setup(100, 100);
    await login('ann@example.com', { address: '192.0.2.7' });
    const keys = [...limiters.perClient.hits, ...limiters.perAccount.hits];
    expect(keys).toHaveLength(2);
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('counts a body without a usable email against the client only, and lets validation answer it', async () => {
    const { app, limiters } = setup(100, 100);
    const res = await app.request(
      '/api/sessions',
      { method: 'POST', headers: { 'content-type': 'application/json', 'x-tenant-id': 'acme' }, body: '{"email":' },
      { incoming: { socket: { remoteAddress: '10.0.0.1' } } },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('malformed_json');
    expect([limiters.perClient.hits.length, limiters.perAccount.hits.length]).toEqual([1, 0]);
  });

  it('fails open when the limiter is down, and says so once', async () => {
    const { login, logger } = setup(1, 1, true);
    expect((await login('ann@example.com')).status).toBe(201);
    expect((await login('ann@example.com')).status).toBe(201);
    expect(logger.named('login_rate_limiter_unavailable')).toHaveLength(1);
  });
});
