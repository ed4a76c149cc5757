import { describe, expect, it } from 'vitest';
import { loadApiConfig, loadPaymentsConfig } from '../../src/config/service-config.ts';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';
import { adminToken } from '../../src/http/middleware/admin-token.ts';
import { createPaymentsApp } from '../../src/http/payments-app.ts';
import { recordingLogger, tinyApp } from './middleware-app.ts';

const TOKEN = 'unit-admin-token-0123456789';
const REQUEST_ID = 'req-admin-1';

const setup = (configured: string | undefined) => tinyApp(recordingLogger(), adminToken(configured));
const call = (app: ReturnType<typeof setup>, path: string, authorization?: string) =>
  app.request(path, { headers: { 'x-request-id': REQUEST_ID, ...(authorization === undefined ? {} : { authorization }) } });

describe('admin token middleware', () => {
  it('with the configured token, lets the request through', async () => {
    const res = await call(setup(TOKEN), '/api/whoami', `Bearer ${TOKEN}`);
    expect(res.status).toBe(200);
  });

  it.each([
    ['no Authorization header', undefined],
    ['another scheme', `Basic ${TOKEN}`],
    ['a wrong token', 'Bearer unit-admin-token-0123456780'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token with a suffix', `Bearer ${TOKEN}x`],
  ])('answers %s with 401 JSON carrying the request id', async (_case, authorization) => {
    const res = await call(setup(TOKEN), '/api/whoami', authorization);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'admin_token_required', message: 'a valid admin token is required', request_id: REQUEST_ID });
  });

  it.each([
    ['unset', undefined],
    ['empty', ''],
  ])('with no token configured (%s), the endpoints are off: the 404 of a path that does not exist', async (_case, configured) => {
    const app = setup(configured);
    const guarded = await call(app, '/api/whoami', `Bearer ${TOKEN}`);
    expect(guarded.status).toBe(404);
    expect(await guarded.json()).toEqual({ error: 'not_found', message: 'no route for GET /api/whoami', request_id: REQUEST_ID });
  });
});

describe('ADMIN_TOKEN setting', () => {
  it('has no default: unset or empty switches the admin endpoints off', () => {
    expect(loadApiConfig({}).ADMIN_TOKEN).toBeUndefined();
    expect(loadPaymentsConfig({ ADMIN_TOKEN: '' }).ADMIN_TOKEN).toBeUndefined();
    expect(loadPaymentsConfig({ ADMIN_TOKEN: TOKEN }).ADMIN_TOKEN).toBe(TOKEN);
  });

  it('refuses a token too short to resist guessing', () => {
    expect(() => loadApiConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN: must be at least 12 characters/);
  });
});

describe('payments started without ADMIN_TOKEN', () => {
  const payments = createPaymentsApp({
    logger: recordingLogger(),
    checks: [],
    dependencyTimeoutMs: 100,
    bodyLimitBytes: 4096,
    simulator: new GatewaySimulator({ latencyMs: 0, failureRate: 0, declineRate: 0 }),
    adminToken: undefined,
  });

  it('answers 404 on its admin endpoint, whatever token is sent, and still serves charges', async () => {
    for (const method of ['GET', 'PUT']) {
      const res = await payments.request('/admin/config', {
        method,
        headers: { authorization: `Bearer ${TOKEN}` },
        body: method === 'PUT' ? '{}' : null,
      });
      expect(res.status, method).toBe(404);
    }
    const health = await payments.request('/health/live');
    expect(health.status).toBe(200);
  });
});
