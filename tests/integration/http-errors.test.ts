import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBaseApp } from '../../src/http/base-app.ts';
import { listen } from '../../src/services/serve.ts';
import { startInProcessStack, type InProcessStack, LogCapture } from '../helpers/in-process-stack.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually, exportedLogs, finishedSpans } from '../helpers/telemetry.ts';

let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack({ RATE_LIMIT_PER_MINUTE: '10000', BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => {
  await stack?.close();
});

describe('input errors are 4xx JSON with a request id', () => {
  it('requires a known tenant', async () => {
    const missing = await call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-tenant-id': '' } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'tenant_required' });
    expect(missing.body.request_id).toBeTruthy();
    const unknown = await call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-tenant-id': 'nobody' } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('tenant_not_found');
  });

  it('rejects malformed JSON, invalid fields (with details), duplicates and oversized bodies', async () => {
    expect((await call(stack.apiUrl, 'POST', '/api/users', { raw: '{"email":' })).body.error).toBe('malformed_json');
    const invalid = await call(stack.apiUrl, 'POST', '/api/users', { body: { email: 'nope', name: '', password: 'short' } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.details.map((d: { field: string }) => d.field).sort()).toEqual(['email', 'name', 'password']);
    const session = await newSession(stack.apiUrl);
    const duplicate = await call(stack.apiUrl, 'POST', '/api/users', {
      body: { email: session.email, name: 'Again', password: 'long-enough-1' },
    });
    expect(duplicate.status).toBe(409);
    const big = await call(stack.apiUrl, 'POST', '/api/users', { raw: JSON.stringify({ name: 'x'.repeat(4096) }) });
    expect(big.status).toBe(413);
    expect(big.body.error).toBe('payload_too_large');
  });

  it('answers JSON 404 for unknown routes and 405 with Allow for a wrong method', async () => {
    const notFound = await call(stack.apiUrl, 'GET', '/nowhere');
    expect(notFound.status).toBe(404);
    expect(notFound.body.error).toBe('not_found');
    const wrongMethod = await call(stack.apiUrl, 'PUT', '/api/orders');
    expect(wrongMethod.status).toBe(405);
    expect(wrongMethod.headers.get('allow')).toBe('POST');
  });

  it('requires a valid bearer token, scoped to the tenant', async () => {
    expect((await call(stack.apiUrl, 'POST', '/api/orders', { body: {} })).status).toBe(401);
    const session = await newSession(stack.apiUrl);
    const otherTenant = await call(stack.apiUrl, 'GET', `/api/users/${session.userId}`, {
      token: session.token,
      headers: { 'x-tenant-id': 'globex' },
    });
    expect(otherTenant.status).toBe(401);
    const badOrderId = await call(stack.apiUrl, 'GET', '/api/orders/not-a-uuid', { token: session.token });
    expect(badOrderId.status).toBe(400);
    const unknownSku = await call(stack.apiUrl, 'POST', '/api/orders', {
      token: session.token,
      body: { items: [{ sku: 'NOPE', quantity: 1 }], payment: CARD },
    });
    expect(unknownSku.status).toBe(400);
  });
});

describe('unexpected errors', () => {
  it('log path, method and exception type, mark the server span and answer 500 without a stack', async () => {
    const capture = new LogCapture();
    const logger = createLogger('boom', 'info', capture);
    const app = createBaseApp({ logger, checks: [], dependencyTimeoutMs: 500, bodyLimitBytes: 1024 }, (a) => {
      a.get('/boom/:id', () => {
        throw new TypeError('kaboom');
      });
    });
    const server = await listen(app, 0, '127.0.0.1');
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
      const response = await call(url, 'GET', '/boom/7', { headers: { 'x-request-id': 'boom-1' } });
      expect(response.status).toBe(500);
      expect(response.body).toEqual({ error: 'internal_error', message: 'an unexpected error occurred', request_id: 'boom-1' });
      const line = capture.lines.find((l) => l.message === 'unhandled_exception');
      expect(line).toMatchObject({ path: '/boom/7', method: 'GET', exception_type: 'TypeError', request_id: 'boom-1' });
      const span = await eventually(
        () => finishedSpans().find((s) => s.kind === SpanKind.SERVER && s.name === 'GET /boom/:id'),
        (s) => s !== undefined,
      );
      expect(span!.status.code).toBe(SpanStatusCode.ERROR);
      // Recorded once, as the handler's log record in the server span's context: no span event.
      expect(span!.events).toEqual([]);
      const record = exportedLogs().find((r) => r.body === 'unhandled_exception' && r.attributes.request_id === 'boom-1');
      expect(record?.spanContext?.spanId).toBe(span!.spanContext().spanId);
      expect(record?.attributes).toMatchObject({ 'exception.type': 'TypeError', 'exception.message': 'kaboom' });
    } finally {
      server.close();
    }
  });
});

describe('rate limiting per tenant', () => {
  it('warns at 80% and answers 429 with Retry-After past the limit', async () => {
    const limited = await startInProcessStack({ RATE_LIMIT_PER_MINUTE: '5' });
    try {
      const statuses: number[] = [];
      let retryAfter: string | null = null;
      for (let i = 0; i < 12; i++) {
        const response = await call(limited.apiUrl, 'GET', '/api/products', { headers: { 'x-tenant-id': 'initech' } });
        statuses.push(response.status);
        if (response.status === 429) retryAfter = response.headers.get('retry-after');
      }
      // The window is one minute: the limit may straddle a window edge, so count rather than index.
      expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
      expect(limited.logs.lines.some((l) => l.message === 'rate_limit_approached' && l.tenant_id === 'initech')).toBe(true);
    } finally {
      await limited.close();
    }
  });
});
