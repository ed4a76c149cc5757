import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import type { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';
import { createPaymentsApp } from '../../src/http/payments-app.ts';
import { createWorkerApp } from '../../src/http/worker-app.ts';
import { SEED_TENANTS } from '../../src/infra/db/seed.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { listen } from '../../src/services/serve.ts';
import { TEST_DATABASE_URL } from '../helpers/backends.ts';
import {
  hostileBody,
  hostileString,
  listHeader,
  METHODS,
  pathFor,
  routesOf,
  seriesOf,
  sendable,
  traceparent,
} from '../helpers/fuzz-inputs.ts';
import { LogCapture, startInProcessStack, TEST_ADMIN_TOKEN, type InProcessStack } from '../helpers/in-process-stack.ts';
import { checkAnswer, closeOwnConnections, OPEN_ROUTES, fetchOnOwnConnection, resetOverHeaderLimit } from '../helpers/fuzz-answers.ts';
import { collectMetrics, testTelemetry } from '../helpers/telemetry.ts';

/*
 * Hostile input over every route of every app: the api (with real Postgres and Redis), the payment
 * gateway and the worker's webhook receiver. Seeds are random (fast-check's default) so each run
 * explores new cases; a failure prints the seed and the shrunk counterexample, and
 * `fc.assert(..., { seed, path })` replays it. Run counts keep the file under a minute on 2 cores.
 */

/** Secrets a response must never carry, whatever was sent. */
const SENT_PASSWORD = `fuzz-${randomUUID()}`;
const DB_PASSWORD = new URL(TEST_DATABASE_URL).password;
const SECRETS = [TEST_ADMIN_TOKEN, SENT_PASSWORD, TEST_DATABASE_URL, `:${DB_PASSWORD}@`];

interface Target {
  name: string;
  app: Hono<any>;
  url: string;
  fields: string[];
}

let stack: InProcessStack;
let servers: Server[] = [];
let targets: Target[] = [];
const stats = { http: 0, appRequest: 0, propagation: 0, byStatus: new Map<number, number>() };
const expected = { openRoutes: OPEN_ROUTES, secrets: SECRETS, byStatus: stats.byStatus };

beforeAll(async () => {
  stack = await startInProcessStack({ RATE_LIMIT_PER_MINUTE: '1000000' });
  const quiet = () => createLogger('fuzz', 'info', new LogCapture());
  const options = { checks: [], dependencyTimeoutMs: 500, bodyLimitBytes: 65_536 };
  const payments = createPaymentsApp({
    ...options,
    logger: quiet(),
    simulator: new GatewaySimulator({ latencyMs: 0, failureRate: 0, declineRate: 0 }),
    adminToken: TEST_ADMIN_TOKEN,
  });
  const worker = createWorkerApp({ ...options, logger: quiet() });
  servers = [await listen(payments, 0, '127.0.0.1'), await listen(worker, 0, '127.0.0.1')];
  const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  targets = [
    {
      name: 'api',
      app: stack.api.app,
      url: stack.apiUrl,
      fields: ['email', 'name', 'password', 'source', 'items', 'payment', 'db_saturation'],
    },
    {
      name: 'payments',
      app: payments,
      url: urlOf(servers[0]!),
      fields: ['order_id', 'amount_cents', 'currency', 'card', 'latency_ms', 'failure_rate'],
    },
    { name: 'worker', app: worker, url: urlOf(servers[1]!), fields: ['status', 'receiver', 'alerts', 'groupKey'] },
  ];
});

afterAll(async () => {
  for (const server of servers) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
  await stack?.close();
  await closeOwnConnections();
  const statuses = [...stats.byStatus].sort(([a], [b]) => a - b).map(([s, n]) => `${s}:${n}`);
  console.log(
    `fuzz-http cases: http=${stats.http} app.request=${stats.appRequest} propagation=${stats.propagation}; statuses ${statuses.join(' ')}`,
  );
});

/** One attacker request: any route of any app (or a made-up path), any method, body and headers. */
const attack = () =>
  fc
    .record({
      target: fc.integer({ min: 0, max: 2 }),
      routeIndex: fc.nat(),
      madeUpPath: fc.option(
        hostileString.map((s) => `/${encodeURIComponent(s.toWellFormed())}`),
        { freq: 5 },
      ),
      method: fc.oneof(fc.constantFrom(...METHODS), fc.constant('ROUTE')),
      tenant: fc.oneof(fc.constantFrom(...SEED_TENANTS.map((t) => t.id)), hostileString),
      requestId: fc.option(hostileString),
      authorization: fc.option(
        fc.oneof(
          hostileString,
          hostileString.map((s) => `Bearer ${s}`),
          fc.constant(`Bearer ${TEST_ADMIN_TOKEN}x`),
        ),
      ),
      contentType: fc.option(
        fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', 'multipart/form-data', ''),
      ),
      traceparent: fc.option(traceparent),
      tracestate: fc.option(listHeader),
      baggage: fc.option(listHeader),
      extra: fc.dictionary(fc.constantFrom('x-forwarded-for', 'user-agent', 'accept', 'x-user-id', 'cookie'), hostileString, {
        maxKeys: 3,
      }),
      withPassword: fc.boolean(),
    })
    .chain((a) => {
      const target = targets[a.target]!;
      const routes = routesOf(target.app);
      const route = routes[a.routeIndex % routes.length]!;
      return fc.record({
        a: fc.constant(a),
        target: fc.constant(target.name),
        route: fc.constant(route),
        path: a.madeUpPath === null ? pathFor(route.path) : fc.constant(a.madeUpPath),
        body: hostileBody(target.fields),
      });
    })
    .map(({ a, target: name, route, path, body }) => {
      // The app object stays out of the generated value, so counterexamples print short.
      const target = { name, toJSON: () => name };
      const method = a.method === 'ROUTE' ? route.method : a.method;
      const headers: Record<string, string> = { 'x-tenant-id': sendable(a.tenant) };
      const optional = {
        'x-request-id': a.requestId,
        authorization: a.authorization,
        'content-type': a.contentType,
        traceparent: a.traceparent,
        tracestate: a.tracestate,
        baggage: a.baggage,
        ...a.extra,
      };
      for (const [name, value] of Object.entries(optional)) if (value !== null && value !== undefined) headers[name] = sendable(value);
      let payload = method === 'GET' || method === 'HEAD' ? undefined : body;
      if (payload !== undefined && a.withPassword && payload.startsWith('{"'))
        payload = `{"password":"${SENT_PASSWORD}",${payload.slice(1)}`;
      return { target, route, path, method, headers, body: payload };
    });

type Attack = ReturnType<typeof attack> extends fc.Arbitrary<infer T> ? T : never;

const targetOf = (c: Attack) => targets.find((t) => t.name === c.target.name)!;

/** Sends a case over node:http; undefined when the server reset a request over the header limit. */
const send = async (c: Attack): Promise<Response | undefined> => {
  try {
    return await fetchOnOwnConnection(new URL(c.path, targetOf(c).url), {
      method: c.method,
      headers: c.headers,
      body: c.body,
      redirect: 'manual',
    });
  } catch (error) {
    if (resetOverHeaderLimit(c.headers, error)) return undefined;
    throw error;
  }
};

const sendToApp = (c: Attack) => targetOf(c).app.request(c.path, { method: c.method, headers: c.headers, body: c.body });

describe('hostile requests to every route of api, payments and worker', () => {
  it('through node:http and the SDK: 4xx JSON with a request id (or an open route 2xx), never 5xx, never a secret', async () => {
    await fc.assert(
      fc.asyncProperty(attack(), async (c) => {
        stats.http++;
        const response = await send(c);
        if (response) await checkAnswer(c, response, expected);
      }),
      { numRuns: 600 },
    );
    // The services are still alive and well after the batch.
    for (const target of targets) expect((await fetch(new URL('/health/live', target.url))).status).toBe(200);
  });

  it('through app.request() (no node:http in front): the same properties', async () => {
    await fc.assert(
      fc.asyncProperty(attack(), async (c) => {
        stats.appRequest++;
        await checkAnswer(c, await sendToApp(c), expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('W3C propagation headers from an attacker', () => {
  it('never link a server span to a malformed traceparent', async () => {
    const { spans } = testTelemetry();
    await fc.assert(
      fc.asyncProperty(traceparent, fc.option(listHeader), fc.option(listHeader), async (parent, state, baggage) => {
        stats.propagation++;
        spans.reset();
        const headers: Record<string, string> = { 'x-tenant-id': 'acme', traceparent: sendable(parent) };
        if (state !== null) headers.tracestate = sendable(state);
        if (baggage !== null) headers.baggage = sendable(baggage);
        let response: Response;
        try {
          response = await fetchOnOwnConnection(new URL('/api/products', stack.apiUrl), { headers });
        } catch (error) {
          if (resetOverHeaderLimit(headers, error)) return;
          throw error;
        }
        const text = await response.text();
        if (response.status === 431) {
          // Over node's 16 KiB header limit: refused by node:http itself, still as JSON with an id.
          expect(JSON.parse(text).request_id).toBe(response.headers.get('x-request-id'));
          return;
        }
        expect(response.status).toBe(200);
        const server = spans.getFinishedSpans().find((s) => s.kind === 1 && s.name.startsWith('GET'));
        expect(server).toBeDefined();
        const linked = server!.parentSpanContext;
        if (linked?.isRemote) {
          // A remote parent is accepted only when the header carried exactly these ids, well formed.
          expect(linked.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
          expect(linked.spanId).toMatch(/^(?!0{16})[0-9a-f]{16}$/);
          expect(sendable(parent).toLowerCase()).toContain(`-${linked.traceId}-${linked.spanId}-`);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('metric cardinality under attack', () => {
  /** Attribute values a series may carry: fixed vocabularies, never a string the attacker chose. */
  const allowed = (key: string, value: unknown): boolean => {
    switch (key) {
      case 'http.request.method':
        return [...METHODS.filter((m) => m !== 'PROPFIND' && m !== 'X-FOO'), 'CONNECT', 'TRACE', '_OTHER'].includes(String(value));
      case 'http.route':
        return targets.some((t) => routesOf(t.app).some((r) => r.path === value));
      case 'http.response.status_code':
        return Number.isInteger(value) && (value as number) >= 100 && (value as number) < 600;
      case 'error.type':
        return /^[1-5]\d\d$/.test(String(value)) || /^[A-Za-z]+Error$/.test(String(value));
      case 'tenant.id':
        return SEED_TENANTS.some((t) => t.id === value);
      case 'url.scheme':
        return value === 'http';
      case 'network.protocol.version':
        return value === '1.1';
      default:
        return false;
    }
  };

  it('grows only by values from fixed vocabularies, whatever tenants, paths, methods and headers are sent', async () => {
    const before = seriesOf(await collectMetrics());
    await fc.assert(
      fc.asyncProperty(attack(), async (c) => {
        await (await send(c))?.text();
      }),
      { numRuns: 300 },
    );
    const after = seriesOf(await collectMetrics());
    const added = [...after].filter(([key]) => !before.has(key)).map(([, series]) => series);
    const httpSeries = added.filter((s) => s.name.startsWith('http.server') || s.name.startsWith('shop.') || 'tenant.id' in s.attributes);
    const offending = httpSeries.flatMap((s) =>
      Object.entries(s.attributes)
        .filter(([key, value]) => !allowed(key, value))
        .map(([key, value]) => `${s.name} ${key}=${JSON.stringify(value)}`),
    );
    expect(offending).toEqual([]);
    // With 3 apps, ~10 methods, a few dozen statuses and 3 tenants, the bound is small and fixed.
    expect(httpSeries.length).toBeLessThan(400);
  });
});
