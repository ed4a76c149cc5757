import { describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';
import { createPaymentsApp } from '../../src/http/payments-app.ts';

const logger = { info() {}, warn() {}, error() {} };
const token = 'unit-admin-token-123';
const app = () =>
  createPaymentsApp({
    logger,
    checks: [],
    dependencyTimeoutMs: 100,
    bodyLimitBytes: 4096,
    simulator: new GatewaySimulator({ latencyMs: 0, failureRate: 0, declineRate: 0 }),
    adminToken: token,
  });

describe('payments admin endpoint', () => {
  it('refuses requests without the admin token', async () => {
    const response = await app().request('/admin/config', { method: 'PUT', body: JSON.stringify({ failure_rate: 1 }) });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'admin_token_required' });
  });

  it('changes the failure rate at runtime and validates the input', async () => {
    const payments = app();
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const updated = await payments.request('/admin/config', { method: 'PUT', headers, body: JSON.stringify({ failure_rate: 1 }) });
    expect(await updated.json()).toEqual({ latency_ms: 0, failure_rate: 1, decline_rate: 0 });
    const charge = await payments.request('/charges', {
      method: 'POST',
      headers,
      body: JSON.stringify({
        order_id: crypto.randomUUID(),
        amount_cents: 100,
        currency: 'USD',
        card: { number: '4242424242424242', expiry: '01/30', cvc: '123' },
      }),
    });
    expect(charge.status).toBe(503);
    const invalid = await payments.request('/admin/config', { method: 'PUT', headers, body: JSON.stringify({ failure_rate: 2 }) });
    expect(invalid.status).toBe(400);
    const empty = await payments.request('/admin/config', { method: 'PUT', headers, body: '{}' });
    expect(empty.status).toBe(400);
  });
});
