/**
 * The shop traffic of tests/integration/gateway-topology.test.ts, sent to the api of the native
 * stack (gateway-stack.ts) with trace ids chosen here, and the payments settings that make it
 * fail or slow.
 */
import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { expect } from 'vitest';
import { ADMIN_TOKEN, API, PAYMENTS, token } from './gateway-stack.ts';
import { newTrace } from './gateway-topology.ts';
import { CARD, TENANT } from './shop-client.ts';

export interface Sent {
  traceId: string;
  route: '/api/orders' | '/api/products';
  status: number;
  latencyMs: number;
  sentAt: number;
}

/**
 * One request with a trace id chosen here: the test process's fetch instrumentation
 * (tests/helpers/test-instrumentation.ts) makes its client span a child of `parent` and injects the
 * traceparent (a second, hand-written traceparent header would make the value invalid).
 */
export async function request(route: Sent['route']): Promise<Sent> {
  const { traceId, spanId } = newTrace();
  const parent = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId, traceFlags: TraceFlags.SAMPLED, isRemote: true });
  const sentAt = Date.now();
  const started = performance.now();
  const order = route === '/api/orders';
  let status = 0;
  try {
    const response = await context.with(parent, () =>
      fetch(`${API}${route}`, {
        method: order ? 'POST' : 'GET',
        headers: {
          'x-tenant-id': TENANT,
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
        },
        body: order ? JSON.stringify({ items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD }) : undefined,
        signal: AbortSignal.timeout(10_000),
      }),
    );
    await response.text();
    status = response.status;
  } catch {
    // no answer: status 0
  }
  return { traceId, route, status, latencyMs: performance.now() - started, sentAt };
}

/** `routes` sent by `concurrency` parallel clients, as fast as the services answer. */
export async function burst(routes: Array<Sent['route']>, concurrency: number): Promise<Sent[]> {
  const results: Sent[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < routes.length) results.push(await request(routes[next++]!));
    }),
  );
  return results;
}

/** `count` checkouts (api -> payments -> worker). */
export const checkouts = (count: number): Array<Sent['route']> => Array.from({ length: count }, () => '/api/orders' as const);

/** `count` requests, checkouts and catalogue reads in turn. */
export const checkoutsAndReads = (count: number): Array<Sent['route']> =>
  Array.from({ length: count }, (_, i) => (i % 2 === 0 ? '/api/orders' : '/api/products'));

/** A checkout every `intervalMs` until `stop()`, which resolves once every one has its answer in `sent`. */
export function steadyCheckouts(intervalMs: number): { sent: Sent[]; stop: () => Promise<void> } {
  const sent: Sent[] = [];
  const inFlight = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const p = request('/api/orders').then((r) => void sent.push(r));
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
  }, intervalMs);
  return {
    sent,
    stop: async () => {
      clearInterval(timer);
      await Promise.all(inFlight);
    },
  };
}

export async function setPayments(settings: { latency_ms?: number; failure_rate?: number }): Promise<void> {
  const response = await fetch(`${PAYMENTS}/admin/config`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(settings),
  });
  expect(response.status, await response.text()).toBe(200);
}
