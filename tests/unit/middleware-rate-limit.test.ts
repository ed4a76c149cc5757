import { describe, expect, it } from 'vitest';
import { rateLimit } from '../../src/http/middleware/rate-limit.ts';
import { tenant } from '../../src/http/middleware/tenant.ts';
import { fakeLimiter, fakeTenants, recordingLogger, tinyApp } from './middleware-app.ts';

const setup = (limit: number, failing = false) => {
  const logger = recordingLogger();
  const limiter = fakeLimiter(limit, 42, failing);
  return { logger, limiter, app: tinyApp(logger, tenant(fakeTenants(['acme', 'globex'])), rateLimit(limiter, logger)) };
};
const get = (app: ReturnType<typeof setup>['app'], tenantId = 'acme', requestId = 'req-rl') =>
  app.request('/api/whoami', { headers: { 'x-tenant-id': tenantId, 'x-request-id': requestId } });

describe('rate limit middleware (per tenant)', () => {
  it('lets requests under the limit through with RateLimit-Limit / RateLimit-Remaining', async () => {
    const { app, limiter } = setup(5);
    const res = await get(app);
    expect(res.status).toBe(200);
    expect(res.headers.get('ratelimit-limit')).toBe('5');
    expect(res.headers.get('ratelimit-remaining')).toBe('4');
    expect(limiter.hits).toEqual(['acme']);
  });

  it('answers 429 with Retry-After and the request id past the limit, per tenant', async () => {
    const { app } = setup(2);
    expect((await get(app)).status).toBe(200);
    expect((await get(app)).headers.get('ratelimit-remaining')).toBe('0');
    const refused = await get(app, 'acme', 'req-rl-3');
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toBe('42');
    expect(await refused.json()).toEqual({ error: 'rate_limited', message: 'too many requests for this tenant', request_id: 'req-rl-3' });
    expect(refused.headers.get('x-request-id')).toBe('req-rl-3');
    // Another tenant has its own window.
    expect((await get(app, 'globex')).status).toBe(200);
  });

  it('warns once per window when a tenant reaches 80% of the limit', async () => {
    const { app, logger } = setup(5);
    for (let i = 0; i < 6; i++) await get(app);
    expect(logger.named('rate_limit_approached')).toEqual([
      expect.objectContaining({ level: 'warn', fields: { count: 4, limit: 5 }, context: expect.objectContaining({ tenant_id: 'acme' }) }),
    ]);
  });

  it('fails open when the limiter is down, and says so once rather than per request', async () => {
    const { app, logger } = setup(1, true);
    const first = await get(app);
    const second = await get(app);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(first.headers.get('ratelimit-limit')).toBeNull();
    expect(logger.named('rate_limiter_unavailable')).toHaveLength(1);
    expect(logger.named('rate_limiter_unavailable')[0]!.level).toBe('warn');
  });

  it('is not asked for requests the tenant middleware already refused', async () => {
    const { app, limiter } = setup(5);
    expect((await get(app, 'initech')).status).toBe(404);
    expect(limiter.hits).toEqual([]);
  });
});
