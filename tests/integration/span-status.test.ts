import { randomBytes, randomUUID } from 'node:crypto';
import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually, exportedLogs, finishedSpans, metricPoints } from '../helpers/telemetry.ts';

/**
 * The span status policy, asserted on every span of each trace: expected business outcomes (402,
 * 409, 401, 404) leave every span UNSET without `error.type` (the domain attributes say what
 * happened); failures (502, 500) set ERROR and `error.type` exactly on the spans that failed, and
 * the exception is recorded once, as a log record where it is handled, never as a span event.
 */
let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack();
});
afterAll(async () => {
  await stack?.close();
});

/** Sends the request inside a trace we choose, so every span it causes can be found by trace id. */
async function traced(method: string, path: string, options: Parameters<typeof call>[3] = {}) {
  const traceId = randomBytes(16).toString('hex');
  const rootSpanId = randomBytes(8).toString('hex');
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: rootSpanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const response = await context.with(parent, () => call(stack.apiUrl, method, path, options));
  // The test's own fetch span is the root's child; the api's server span, its child, ends last.
  const spans = await eventually(
    () => finishedSpans().filter((s) => s.spanContext().traceId === traceId),
    (found) => {
      const fetchSpan = found.find((s) => s.parentSpanContext?.spanId === rootSpanId);
      return found.some((s) => s.kind === SpanKind.SERVER && s.parentSpanContext?.spanId === fetchSpan?.spanContext().spanId);
    },
  );
  // Only the spans of the services under test: the test's own fetch span is not part of the subject.
  return { response, spans: spans.filter((s) => s.parentSpanContext?.spanId !== rootSpanId) };
}

const named = (spans: ReadableSpan[], name: string) => {
  const span = spans.find((s) => s.name === name);
  expect(span, `span ${name}`).toBeDefined();
  return span!;
};
const exceptions = (span: ReadableSpan) => span.events.filter((e) => e.name === 'exception');

/** The log records of a trace that carry an exception. */
const exceptionRecords = (traceId: string) =>
  exportedLogs().filter((r) => r.spanContext?.traceId === traceId && r.attributes['exception.type'] !== undefined);

/** An expected outcome: no span of the trace is ERROR or has error.type, none an exception event, no exception record. */
function expectNoErrorSpan(spans: ReadableSpan[]) {
  expect(spans.filter((s) => s.status.code !== SpanStatusCode.UNSET).map((s) => s.name)).toEqual([]);
  expect(spans.filter((s) => s.attributes['error.type'] !== undefined).map((s) => s.name)).toEqual([]);
  expect(spans.filter((s) => exceptions(s).length > 0).map((s) => s.name)).toEqual([]);
  expect(exceptionRecords(spans[0]!.spanContext().traceId)).toEqual([]);
}

describe('expected business outcomes leave every span UNSET', () => {
  it('402 declined card: process_order and charge_payment say so in order.status and payment.failure.reason', async () => {
    const session = await newSession(stack.apiUrl);
    stack.simulator.update({ declineRate: 1 });
    try {
      const { response, spans } = await traced('POST', '/api/orders', {
        token: session.token,
        body: { items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD },
      });
      expect(response.status).toBe(402);
      expectNoErrorSpan(spans);
      expect(named(spans, 'process_order').attributes['order.status']).toBe('failed');
      expect(named(spans, 'charge_payment').attributes['payment.failure.reason']).toBe('declined');
      expect(named(spans, 'POST /api/orders').attributes['http.response.status_code']).toBe(402);
      // The hop to payments is part of the trace, and a decline is not an HTTP error there either.
      expect(named(spans, 'POST /charges').kind).toBe(SpanKind.SERVER);
      expect(spans.some((s) => s.kind === SpanKind.CLIENT && s.name === 'POST')).toBe(true);
    } finally {
      stack.simulator.update({ declineRate: 0 });
    }
  });

  it('409 duplicate email: signup_user stays UNSET without error.type (the server span says 409)', async () => {
    const session = await newSession(stack.apiUrl);
    const { response, spans } = await traced('POST', '/api/users', {
      body: { email: session.email, name: 'Again', password: 'long-enough-1' },
    });
    expect(response.status).toBe(409);
    expectNoErrorSpan(spans);
    expect(named(spans, 'POST /api/users').attributes['http.response.status_code']).toBe(409);
  });

  it('401 bad credentials: login_user stays UNSET without error.type', async () => {
    const session = await newSession(stack.apiUrl);
    const { response, spans } = await traced('POST', '/api/sessions', { body: { email: session.email, password: 'not-the-password' } });
    expect(response.status).toBe(401);
    expectNoErrorSpan(spans);
    named(spans, 'login_user');
  });

  it('401 unknown email: the same answer as a wrong password, and no error either', async () => {
    const { response, spans } = await traced('POST', '/api/sessions', {
      body: { email: `nobody-${randomUUID()}@example.test`, password: 'x' },
    });
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ error: 'invalid_credentials', message: 'email or password is wrong' });
    expectNoErrorSpan(spans);
    named(spans, 'login_user');
  });

  it('429 login rate limited (per account): refused before login_user runs, no span is ERROR', async () => {
    const email = `guessed-${randomUUID()}@example.test`;
    const limit = stack.config.LOGIN_RATE_LIMIT_PER_ACCOUNT;
    for (let i = 0; i < limit; i++) {
      expect((await call(stack.apiUrl, 'POST', '/api/sessions', { body: { email, password: `guess-${i}` } })).status).toBe(401);
    }
    const { response, spans } = await traced('POST', '/api/sessions', { body: { email, password: 'one-more-guess' } });
    expect(response.status).toBe(429);
    expect(response.body).toMatchObject({ error: 'rate_limited', request_id: expect.any(String) });
    expect(response.headers.get('retry-after')).toMatch(/^\d+$/);
    expectNoErrorSpan(spans);
    expect(spans.some((s) => s.name === 'login_user')).toBe(false);
    expect(named(spans, 'POST /api/sessions').attributes['http.response.status_code']).toBe(429);
  });

  it('404 unknown user: get_user stays UNSET without error.type', async () => {
    const session = await newSession(stack.apiUrl);
    // The account is deleted while its session lives on: the profile lookup finds nothing.
    await stack.api.db.sql`DELETE FROM users WHERE id = ${session.userId}`;
    const { response, spans } = await traced('GET', `/api/users/${session.userId}`, { token: session.token });
    expect(response.status).toBe(404);
    expectNoErrorSpan(spans);
    named(spans, 'get_user');
    expect(spans.some((s) => s.attributes['db.system.name'] === 'postgresql')).toBe(true);
  });
});

describe('unmatched routes', () => {
  it('have no http.route: the server span is named after the method alone, and so are the metric points', async () => {
    const path = `/api/nowhere-${randomUUID()}`;
    const { response, spans } = await traced('GET', path);
    expect(response.status).toBe(404);
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('GET');
    expect(server.attributes).not.toHaveProperty(['http.route']);
    expect(server.status.code).toBe(SpanStatusCode.UNSET);
    const points = (await metricPoints('http.server.request.duration')).filter((p) => p.attributes['http.response.status_code'] === 404);
    expect(points.some((p) => p.attributes['http.route'] === undefined && p.attributes['http.request.method'] === 'GET')).toBe(true);
    expect(points.map((p) => p.attributes['http.route'])).not.toContain('/api/*');
  });
});

describe('failures set ERROR on the spans that failed', () => {
  it('502 gateway failure: server, process_order, charge_payment and both sides of the payments hop', async () => {
    const session = await newSession(stack.apiUrl);
    stack.simulator.update({ failureRate: 1 });
    try {
      const { response, spans } = await traced('POST', '/api/orders', {
        token: session.token,
        body: { items: [{ sku: 'BOOK-SRE', quantity: 1 }], payment: CARD },
      });
      expect(response.status).toBe(502);
      const failed = spans.filter((s) => s.status.code === SpanStatusCode.ERROR);
      // Exactly these: everything else (inventory, the transaction, DB statements, Redis) succeeded and stays UNSET.
      expect(failed.map((s) => `${SpanKind[s.kind]} ${s.name}`).sort()).toEqual([
        'CLIENT POST',
        'INTERNAL charge_payment',
        'INTERNAL process_order',
        'SERVER POST /api/orders',
        'SERVER POST /charges',
      ]);
      for (const name of ['process_order', 'charge_payment'])
        expect(named(spans, name).attributes['error.type']).toBe('payment_gateway_error');
      expect(named(spans, 'POST /api/orders').attributes['error.type']).toBe('502');
      expect(spans.filter((s) => s.events.length > 0).map((s) => s.name)).toEqual([]);
      // Once, where the api handled it: request_failed in the context of its server span.
      const server = named(spans, 'POST /api/orders').spanContext();
      const records = await eventually(
        () => exceptionRecords(server.traceId),
        (found) => found.length > 0,
      );
      expect(records.map((r) => [r.body, r.spanContext?.spanId, r.attributes['exception.type']])).toEqual([
        ['request_failed', server.spanId, 'PaymentGatewayError'],
      ]);
    } finally {
      stack.simulator.update({ failureRate: 0 });
    }
  });

  it('500 unexpected exception: the failing DB statement, login_user and the server span are ERROR; the exception is one log record', async () => {
    const session = await newSession(stack.apiUrl);
    // A real unexpected failure: the api's pool is closed under it (the last test of the file).
    await stack.api.db.end();
    const { response, spans } = await traced('POST', '/api/sessions', { body: { email: session.email, password: session.password } });
    expect(response.status).toBe(500);
    const failed = spans.filter((s) => s.status.code === SpanStatusCode.ERROR);
    expect(failed.map((s) => `${SpanKind[s.kind]} ${s.name}`).sort()).toEqual([
      'CLIENT SELECT users',
      'INTERNAL login_user',
      'SERVER POST /api/sessions',
    ]);
    expect(named(spans, 'login_user').attributes['error.type']).toBe('CONNECTION_ENDED');
    expect(named(spans, 'SELECT users').attributes['error.type']).toBe('CONNECTION_ENDED');
    expect(named(spans, 'POST /api/sessions').attributes['error.type']).toBe('500');
    // No span carries it (it crossed three); the error handler recorded it once, on the server span's context.
    expect(spans.filter((s) => s.events.length > 0).map((s) => s.name)).toEqual([]);
    const server = named(spans, 'POST /api/sessions').spanContext();
    const records = await eventually(
      () => exceptionRecords(server.traceId),
      (found) => found.length > 0,
    );
    expect(records).toHaveLength(1);
    expect(records[0]!.body).toBe('unhandled_exception');
    expect(records[0]!.spanContext?.spanId).toBe(server.spanId);
    expect(records[0]!.attributes).toMatchObject({ 'exception.message': expect.any(String), 'exception.stacktrace': expect.any(String) });
    expect(records[0]!.attributes['exception.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    const counted = (await metricPoints('otelkit.exceptions')).filter(
      (p) => p.attributes['exception.fingerprint'] === records[0]!.attributes['exception.fingerprint'],
    );
    expect(counted.map((p) => p.attributes['exception.type'])).toEqual([records[0]!.attributes['exception.type']]);
  });
});
