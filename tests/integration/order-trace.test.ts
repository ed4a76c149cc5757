import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
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

describe('one order, one trace', () => {
  it('holds the api server span, business, DB and Redis spans, the payments hop and the worker span', async () => {
    const session = await newSession(stack.apiUrl);
    const response = await call(stack.apiUrl, 'POST', '/api/orders', {
      token: session.token,
      body: { items: [{ sku: 'MUG-TRACE', quantity: 2 }], payment: CARD },
    });
    expect(response.status).toBe(201);
    const orderId = response.body.id as string;

    const processOrder = await eventually(
      () => finishedSpans().find((s) => s.name === 'process_order' && s.attributes['order.id'] === orderId),
      (span) => span !== undefined,
    );
    const traceId = processOrder!.spanContext().traceId;
    // The worker consumes asynchronously: wait until its spans have ended (the process span ends
    // after its child deliver_confirmation).
    const inTrace = await eventually(
      () => finishedSpans().filter((s) => s.spanContext().traceId === traceId),
      (spans) => ['deliver_confirmation', 'process orders.confirmations'].every((name) => spans.some((s) => s.name === name)),
    );
    const named = (name: string) => inTrace.filter((s) => s.name === name);

    const apiServer = named('POST /api/orders').find((s) => s.kind === SpanKind.SERVER);
    expect(apiServer?.attributes['http.route']).toBe('/api/orders');
    expect(apiServer?.attributes['http.response.status_code']).toBe(201);
    expect(apiServer?.attributes['tenant.id']).toBe('acme');
    expect(apiServer?.attributes['user.id']).toBe(session.userId);

    for (const name of ['process_order', 'validate_inventory', 'charge_payment', 'send_confirmation']) {
      const [span] = named(name);
      expect(span, name).toBeDefined();
      expect(span!.attributes['tenant.id']).toBe('acme');
      expect(span!.attributes['user.id']).toBe(session.userId);
    }
    expect(named('charge_payment')[0]!.attributes['order.id']).toBe(orderId);
    // The business span is INTERNAL; the messaging PRODUCER span `send <stream>` is its child.
    expect(named('send_confirmation')[0]!.kind).toBe(SpanKind.INTERNAL);
    const producer = named('send orders.confirmations')[0];
    expect(producer?.kind).toBe(SpanKind.PRODUCER);
    expect(producer!.parentSpanContext?.spanId).toBe(named('send_confirmation')[0]!.spanContext().spanId);

    const db = inTrace.filter((s) => s.attributes['db.system.name'] === 'postgresql' && s.kind === SpanKind.CLIENT);
    expect(db.map((s) => s.name)).toEqual(expect.arrayContaining(['SELECT products', 'UPDATE products', 'INSERT orders']));
    expect(db.map((s) => s.name)).not.toContain('BEGIN');
    for (const span of db) {
      expect(span.attributes['db.query.text']).not.toMatch(/MUG-TRACE|4242/);
      expect(span.attributes['db.collection.name'], span.name).toBe(span.name.split(' ')[1]);
    }
    // The reservation's statements share one INTERNAL transaction span under validate_inventory.
    const [transaction] = named('transaction').filter(
      (s) => s.parentSpanContext?.spanId === named('validate_inventory')[0]!.spanContext().spanId,
    );
    expect(transaction?.kind).toBe(SpanKind.INTERNAL);
    const inTransaction = db.filter((s) => s.parentSpanContext?.spanId === transaction!.spanContext().spanId).map((s) => s.name);
    expect(inTransaction).toEqual(expect.arrayContaining(['SELECT products', 'UPDATE products', 'INSERT orders', 'INSERT order_lines']));
    const redis = inTrace.filter((s) => s.attributes['db.system.name'] === 'redis' || s.attributes['db.system'] === 'redis');
    expect(redis.length).toBeGreaterThan(0);

    const client = inTrace.find(
      (s) => s.kind === SpanKind.CLIENT && s.name.startsWith('POST') && s.attributes['server.port'] !== undefined,
    );
    expect(client, 'HTTP client span to payments').toBeDefined();
    const paymentsServer = named('POST /charges').find((s) => s.kind === SpanKind.SERVER);
    expect(paymentsServer, 'payments server span').toBeDefined();
    expect(paymentsServer!.parentSpanContext?.spanId).toBe(client!.spanContext().spanId);

    const consumer = named('process orders.confirmations')[0];
    expect(consumer?.kind).toBe(SpanKind.CONSUMER);
    // Parented by the creation context and linked to it, as the messaging conventions ask of a
    // process span (docs/telemetry.md, messaging).
    expect(consumer!.parentSpanContext?.spanId).toBe(producer!.spanContext().spanId);
    expect(consumer!.links.map((link) => link.context.spanId)).toEqual([producer!.spanContext().spanId]);
    expect(named('deliver_confirmation')[0]!.parentSpanContext?.spanId).toBe(consumer!.spanContext().spanId);
  });

  it('fails the order, restores stock and answers 402 when the card is declined', async () => {
    const session = await newSession(stack.apiUrl);
    const before = await call(stack.apiUrl, 'GET', '/api/products');
    stack.simulator.update({ declineRate: 1 });
    try {
      const response = await call(stack.apiUrl, 'POST', '/api/orders', {
        token: session.token,
        body: { items: [{ sku: 'CAP-METRIC', quantity: 3 }], payment: CARD },
      });
      expect(response.status).toBe(402);
      expect(response.body.error).toBe('payment_declined');
      const orderId = response.body.details.order_id as string;
      const order = await call(stack.apiUrl, 'GET', `/api/orders/${orderId}`, { token: session.token });
      expect(order.body.status).toBe('failed');
      expect(order.body.failure_reason).toBe('declined');
    } finally {
      stack.simulator.update({ declineRate: 0 });
    }
    const after = await call(stack.apiUrl, 'GET', '/api/products');
    const stock = (body: any) => body.products.find((p: any) => p.sku === 'CAP-METRIC').stock;
    expect(stock(after.body)).toBe(stock(before.body));
  });

  it('answers 502 and marks the server span failed when the payments gateway fails', async () => {
    const session = await newSession(stack.apiUrl);
    stack.simulator.update({ failureRate: 1 });
    try {
      const response = await call(stack.apiUrl, 'POST', '/api/orders', {
        token: session.token,
        body: { items: [{ sku: 'BOOK-SRE', quantity: 1 }], payment: CARD },
        headers: { 'x-request-id': 'gateway-failure-1' },
      });
      expect(response.status).toBe(502);
      expect(response.body).toMatchObject({ error: 'payment_gateway_error', request_id: 'gateway-failure-1' });
    } finally {
      stack.simulator.update({ failureRate: 0 });
    }
    // The request's log line names its trace: the server span of that trace is the one that failed.
    const line = stack.logs.lines.find((l) => l.message === 'request_completed' && l.request_id === 'gateway-failure-1');
    expect(line?.trace_id).toMatch(/^[0-9a-f]{32}$/);
    const server = await eventually(
      () =>
        finishedSpans().find(
          (s) => s.spanContext().traceId === line!.trace_id && s.kind === SpanKind.SERVER && s.name === 'POST /api/orders',
        ),
      (span) => span !== undefined,
    );
    expect(server!.status.code).toBe(SpanStatusCode.ERROR);
    expect(server!.attributes['http.response.status_code']).toBe(502);
    // The exception is the api's request_failed record, in the server span's context; no span event.
    expect(server!.events).toEqual([]);
    const records = exportedLogs().filter((r) => r.body === 'request_failed' && r.attributes.request_id === 'gateway-failure-1');
    expect(records.map((r) => [r.spanContext?.spanId, r.attributes['exception.type']])).toEqual([
      [server!.spanContext().spanId, 'PaymentGatewayError'],
    ]);
  });
});
