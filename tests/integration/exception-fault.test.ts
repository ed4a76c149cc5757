import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, TEST_ADMIN_TOKEN, type InProcessStack } from '../helpers/in-process-stack.ts';
import { call } from '../helpers/shop-client.ts';
import { eventually, exportedLogs, finishedSpans, metricPoints } from '../helpers/telemetry.ts';

/**
 * The api's `novel_exception` fault (scenario new-exception, alert NewExceptionType) throws a type
 * nothing else throws, and what the services emit for it is what the Errors dashboard and the
 * alert read: one error log record per request, in the SERVER span's context, with exception.type,
 * exception.stacktrace and exception.fingerprint (Loki), counted in otelkit.exceptions by type and
 * fingerprint (Prometheus); the server span is ERROR and carries no exception event.
 */
let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack({ RATE_LIMIT_PER_MINUTE: '10000' });
});
afterAll(async () => {
  await stack?.close();
});

const setFault = (body: unknown, token = TEST_ADMIN_TOKEN) =>
  call(stack.apiUrl, 'PUT', '/admin/exception-fault', { body, headers: { authorization: `Bearer ${token}` } });

describe('novel_exception fault', () => {
  it('needs the admin token and a boolean', async () => {
    expect((await setFault({ novel_exception: true }, 'wrong-token-123456')).status).toBe(401);
    expect((await setFault({})).status).toBe(400);
    const state = await call(stack.apiUrl, 'GET', '/admin/exception-fault', { headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}` } });
    expect(state.body).toEqual({ novel_exception: false });
  });

  it('makes GET /api/products throw a CatalogueMappingError, recorded once per request as a log record with one fingerprint, and counted', async () => {
    expect((await setFault({ novel_exception: true })).body).toEqual({ novel_exception: true });
    const requestIds = ['novel-1', 'novel-2'];
    try {
      for (const id of requestIds) {
        const response = await call(stack.apiUrl, 'GET', '/api/products', { headers: { 'x-request-id': id } });
        expect(response.status).toBe(500);
        expect(response.body).toMatchObject({ error: 'internal_error', request_id: id });
      }
    } finally {
      expect((await setFault({ novel_exception: false })).body).toEqual({ novel_exception: false });
    }
    expect((await call(stack.apiUrl, 'GET', '/api/products')).status).toBe(200);

    const lines = requestIds.map((id) => stack.logs.lines.find((l) => l.message === 'unhandled_exception' && l.request_id === id));
    expect(lines.map((l) => l?.exception_type)).toEqual(['CatalogueMappingError', 'CatalogueMappingError']);
    const traceIds = lines.map((l) => l!.trace_id as string);
    const servers = await eventually(
      () => traceIds.map((t) => finishedSpans().find((s) => s.spanContext().traceId === t && s.kind === SpanKind.SERVER)),
      (found) => found.every(Boolean),
    );
    for (const span of servers) {
      expect(span!.name).toBe('GET /api/products');
      expect(span!.attributes['http.route']).toBe('/api/products');
      expect(span!.status.code).toBe(SpanStatusCode.ERROR);
      expect(span!.events).toEqual([]);
    }

    const records = await eventually(
      () => exportedLogs().filter((r) => r.body === 'unhandled_exception' && requestIds.includes(String(r.attributes.request_id))),
      (found) => found.length === 2,
    );
    records.sort((a, b) => requestIds.indexOf(String(a.attributes.request_id)) - requestIds.indexOf(String(b.attributes.request_id)));
    for (const [i, record] of records.entries()) {
      expect(record.spanContext?.spanId).toBe(servers[i]!.spanContext().spanId);
      expect(record.attributes).toMatchObject({ 'exception.type': 'CatalogueMappingError' });
      expect(String(record.attributes['exception.message'])).toMatch(/injected fault novel_exception/);
      expect(String(record.attributes['exception.stacktrace'])).toContain('CatalogueMappingError');
      expect(record.attributes['exception.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
      expect(record.attributes).not.toHaveProperty('exception_type');
    }
    // Two requests, one throw site: one fingerprint (the messages differ only in values).
    const fingerprint = records[0]!.attributes['exception.fingerprint'];
    expect(records[1]!.attributes['exception.fingerprint']).toBe(fingerprint);
    // Counted where the records were written: 2 for this type and fingerprint, whatever is sampled.
    const counted = (await metricPoints('otelkit.exceptions')).filter((p) => p.attributes['exception.type'] === 'CatalogueMappingError');
    expect(counted).toEqual([
      { attributes: { 'exception.type': 'CatalogueMappingError', 'exception.fingerprint': fingerprint }, value: 2 },
    ]);
  });
});
