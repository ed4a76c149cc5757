import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { call, newSession } from '../helpers/shop-client.ts';
import { collectMetrics, exportedLogs, finishedSpans } from '../helpers/telemetry.ts';

let stack: InProcessStack;
beforeAll(async () => {
  stack = await startInProcessStack();
});
afterAll(async () => {
  await stack?.close();
});

const PASSWORD = 'Sup3r-Secret-Passw0rd-7781';
const CARD_NUMBER = '4000056655665556';

describe('secrets never reach telemetry', () => {
  it('keeps passwords, bearer tokens and card numbers out of every span, log record, log line and metric', async () => {
    const session = await newSession(stack.apiUrl, PASSWORD);
    // A failed login with the password in the body, an order with a card, a bearer token on every call.
    await call(stack.apiUrl, 'POST', '/api/sessions', { body: { email: session.email, password: `${PASSWORD}-wrong` } });
    const order = await call(stack.apiUrl, 'POST', '/api/orders', {
      token: session.token,
      body: { items: [{ sku: 'HOODIE-SPAN', quantity: 1 }], payment: { card_number: CARD_NUMBER, expiry: '01/31', cvc: '987' } },
    });
    expect(order.status).toBe(201);
    // Invalid input echoes nothing back either.
    const invalid = await call(stack.apiUrl, 'POST', '/api/users', { body: { email: 'not-an-email', name: 'x', password: PASSWORD } });
    expect(invalid.status).toBe(400);
    expect(JSON.stringify(invalid.body)).not.toContain(PASSWORD);
    await call(stack.apiUrl, 'GET', `/api/users/${session.userId}`, { token: session.token, headers: { cookie: `sid=${session.token}` } });

    const spans = finishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status }));
    const records = exportedLogs().map((r) => ({ body: r.body, attributes: r.attributes }));
    const metrics = await collectMetrics();
    const everything = JSON.stringify({ spans, records, lines: stack.logs.lines, metrics: metrics.scopeMetrics });
    expect(spans.length).toBeGreaterThan(10);
    expect(records.length).toBeGreaterThan(5);
    for (const secret of [PASSWORD, session.token, CARD_NUMBER]) expect(everything).not.toContain(secret);
  });

  it('redacts sensitive keys at any depth in log lines', async () => {
    const { createLogger } = await import('../../src/infra/logger.ts');
    const { LogCapture } = await import('../helpers/in-process-stack.ts');
    const capture = new LogCapture();
    createLogger('test', 'info', capture).info(
      { user: { profile: { api_key: 'k-123', ssn: '078-05-1120' } }, headers: { Authorization: 'Bearer x' } },
      'nested',
    );
    expect(capture.lines[0]).toMatchObject({
      user: { profile: { api_key: '[REDACTED]', ssn: '[REDACTED]' } },
      headers: { Authorization: '[REDACTED]' },
    });
  });
});
