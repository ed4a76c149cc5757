import { describe, expect, it } from 'vitest';
import { tenant } from '../../src/http/middleware/tenant.ts';
import { fakeTenants, recordingLogger, tinyApp } from './middleware-app.ts';

const setup = (failing = false) => {
  const logger = recordingLogger();
  return { logger, app: tinyApp(logger, tenant(fakeTenants(['acme', 'globex'], failing))) };
};
const REQUEST_ID = 'req-tenant-1';

describe('tenant middleware (X-Tenant-ID)', () => {
  it('puts a known tenant on the context and on every log line of the request', async () => {
    const { app, logger } = setup();
    const res = await app.request('/api/whoami', { headers: { 'x-tenant-id': 'globex', 'x-request-id': REQUEST_ID } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ tenant: 'globex', user: null });
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    expect(logger.named('request_completed')).toEqual([
      expect.objectContaining({
        fields: expect.objectContaining({ status_code: 200 }),
        context: expect.objectContaining({ tenant_id: 'globex' }),
      }),
    ]);
  });

  it.each([
    ['missing', {}, 400, 'tenant_required', 'the X-Tenant-ID header is required'],
    ['not a slug', { 'x-tenant-id': 'Acme Corp' }, 400, 'tenant_invalid', 'X-Tenant-ID must be a lowercase slug'],
    ['unknown', { 'x-tenant-id': 'initech' }, 404, 'tenant_not_found', 'unknown tenant initech'],
  ])('answers a %s tenant with %i and the request id', async (_case, headers: Record<string, string>, status, error, message) => {
    const { app, logger } = setup();
    const res = await app.request('/api/whoami', { headers: { ...headers, 'x-request-id': REQUEST_ID } });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error, message, request_id: REQUEST_ID });
    expect(res.headers.get('x-request-id')).toBe(REQUEST_ID);
    // An expected refusal is no failure of the service: nothing at error level.
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });

  it('makes up a request id when the caller sends none (or one that could forge a log line) and returns it', async () => {
    const { app } = setup();
    const res = await app.request('/api/whoami', { headers: { 'x-request-id': 'forged" level="error' } });
    const body = (await res.json()) as { request_id: string };
    expect(body.request_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers.get('x-request-id')).toBe(body.request_id);
  });

  it('answers 503 when the tenant store fails, and logs the failure with its cause', async () => {
    const { app, logger } = setup(true);
    const res = await app.request('/api/whoami', { headers: { 'x-tenant-id': 'acme', 'x-request-id': REQUEST_ID } });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      error: 'tenant_store_unavailable',
      message: 'tenants cannot be checked right now',
      request_id: REQUEST_ID,
    });
    const [failed] = logger.named('request_failed');
    expect(failed).toEqual(
      expect.objectContaining({
        level: 'error',
        fields: expect.objectContaining({ error_code: 'tenant_store_unavailable', exception_type: 'DependencyUnavailableError' }),
      }),
    );
    expect(((failed?.fields as { err?: Error }).err?.cause as Error | undefined)?.message).toBeTruthy();
  });

  it('leaves routes outside /api alone', async () => {
    const { app } = setup();
    const res = await app.request('/elsewhere');
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: string }).error).toBe('not_found');
  });
});
