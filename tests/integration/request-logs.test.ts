import { SpanKind } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually, exportedLogs, finishedSpans } from '../helpers/telemetry.ts';

let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack();
});
afterAll(async () => {
  await stack?.close();
});

describe('request logs', () => {
  it('binds trace_id, span_id and the request context to every line of a request, stdout and OTLP alike', async () => {
    const session = await newSession(stack.apiUrl);
    const requestId = 'order-logs-0001';
    const response = await call(stack.apiUrl, 'POST', '/api/orders', {
      token: session.token,
      headers: { 'x-request-id': requestId },
      body: { items: [{ sku: 'STICKER-PACK', quantity: 1 }], payment: CARD },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-request-id')).toBe(requestId);

    const server = await eventually(
      () =>
        finishedSpans().find(
          (s) => s.kind === SpanKind.SERVER && s.name === 'POST /api/orders' && s.attributes['user.id'] === session.userId,
        ),
      (span) => span !== undefined,
    );
    const traceId = server!.spanContext().traceId;

    const lines = stack.logs.lines.filter((line) => line.request_id === requestId);
    expect(lines.map((l) => l.message)).toEqual(expect.arrayContaining(['order_placed', 'confirmation_queued', 'request_completed']));
    for (const line of lines) {
      expect(line).toMatchObject({ trace_id: traceId, tenant_id: 'acme', user_id: session.userId, path: '/api/orders', method: 'POST' });
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(typeof line.time).toBe('string');
      expect(typeof line.level).toBe('string');
    }
    const completed = lines.find((l) => l.message === 'request_completed');
    expect(completed).toMatchObject({ status_code: 201 });
    expect(typeof completed!.duration_ms).toBe('number');

    const records = exportedLogs().filter((r) => r.attributes.request_id === requestId);
    expect(records.length).toBe(lines.length);
    for (const record of records) {
      expect(record.spanContext?.traceId).toBe(traceId);
      expect(record.attributes).toMatchObject({ tenant_id: 'acme', user_id: session.userId, path: '/api/orders', method: 'POST' });
      expect(record.severityText).toBeDefined();
    }
  });

  it('generates a request id when none (or an unsafe one) is sent, and echoes it', async () => {
    const plain = await call(stack.apiUrl, 'GET', '/api/products');
    expect(plain.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const unsafe = await call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-request-id': 'evil\tinjected line' } });
    expect(unsafe.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('shows cache misses then hits on the span and in the metrics', async () => {
    const session = await newSession(stack.apiUrl);
    const first = await call(stack.apiUrl, 'GET', `/api/users/${session.userId}`, { token: session.token });
    const second = await call(stack.apiUrl, 'GET', `/api/users/${session.userId}`, { token: session.token });
    expect([first.status, second.status]).toEqual([200, 200]);
    const lookups = finishedSpans().filter((s) => s.name === 'get_user' && s.attributes['user.id'] === session.userId);
    expect(lookups.map((s) => s.attributes['cache.hit'])).toEqual([false, true]);
  });
});
