import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../src/config/service-config.ts';
import { OTEL_DEFAULTS } from '../../src/instrumentation/otel-defaults.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';

const SHUTDOWN_TIMEOUT_MS = loadApiConfig({}).SHUTDOWN_TIMEOUT_MS;
const started: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
});

/** payments answers slowly, so orders are still in flight when the api gets SIGTERM. */
async function startStack(ports: { api: number; payments: number }, otel: Record<string, string>) {
  const payments = new ServiceProcess('payments', {
    ...otel,
    PORT: String(ports.payments),
    PAYMENTS_DECLINE_RATE: '0',
    PAYMENTS_LATENCY_MS: '1500',
  }).start();
  const api = new ServiceProcess('api', {
    ...otel,
    PORT: String(ports.api),
    PAYMENTS_URL: `http://127.0.0.1:${ports.payments}`,
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
  }).start();
  started.push(payments, api);
  await waitForHttp(`http://127.0.0.1:${ports.payments}/health/ready`, payments);
  await waitForHttp(`http://127.0.0.1:${ports.api}/health/ready`, api);
  return { api, payments, url: `http://127.0.0.1:${ports.api}` };
}

const placeOrders = (url: string, token: string, count: number) =>
  Array.from({ length: count }, () =>
    call(url, 'POST', '/api/orders', { token, body: { items: [{ sku: 'STICKER-PACK', quantity: 1 }], payment: CARD } }),
  );

/** Whether a brand-new TCP connection to `port` is accepted. */
const accepts = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

/** A "Collector" that accepts connections and never answers: every export waits for its timeout. */
async function blackHole(): Promise<{ url: string; close: () => void }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('SIGTERM under load', () => {
  it('the exporters time out before the shutdown does, so the final flush fits inside SHUTDOWN_TIMEOUT_MS', () => {
    const timeouts = ['OTEL_EXPORTER_OTLP_TIMEOUT', 'OTEL_BSP_EXPORT_TIMEOUT', 'OTEL_BLRP_EXPORT_TIMEOUT', 'OTEL_METRIC_EXPORT_TIMEOUT'];
    for (const name of timeouts) expect(Number(OTEL_DEFAULTS[name]), name).toBeLessThanOrEqual(SHUTDOWN_TIMEOUT_MS / 2);
  });

  it('with the Collector not answering: in-flight requests complete, new connections are refused, exit 0 in time', async () => {
    const collector = await blackHole();
    const { api, url } = await startStack(
      { api: 18570, payments: 18571 },
      { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '1000' },
    );
    const { token } = await newSession(url);
    const inFlight = placeOrders(url, token, 10);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const signalled = Date.now();
    const exited = api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await accepts(18570)).toBe(false);

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    expect(await exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
    expect(api.jsonLines().some((l) => l.message === 'shutdown_completed')).toBe(true);
    expect(api.jsonLines().some((l) => l.message === 'shutdown_timed_out')).toBe(false);
    collector.close();
  }, 30_000);

  it('with the Collector reached only at shutdown: a span, a metric point and a log record of the in-flight requests arrive', async () => {
    const receiver = new OtlpJsonReceiver();
    const endpoint = await receiver.start();
    // Nothing is exported on schedule during the test: whatever arrives was flushed by the shutdown.
    const { api, url } = await startStack(
      { api: 18572, payments: 18573 },
      {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        OTEL_BSP_SCHEDULE_DELAY: '600000',
        OTEL_BLRP_SCHEDULE_DELAY: '600000',
      },
    );
    const { token } = await newSession(url);
    const inFlight = placeOrders(url, token, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.raw).toHaveLength(0);
    const exited = api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000);
    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(5).fill(201));
    expect(await exited).toBe(0);

    const orderSpans = receiver.spans().filter((s) => s.name === 'POST /api/orders');
    expect(orderSpans.length).toBeGreaterThanOrEqual(5);
    expect(receiver.metricNames()).toContain('http.server.request.duration');
    const placed = receiver.logRecords().filter((r) => r.body?.stringValue === 'order_placed');
    expect(placed.length).toBeGreaterThanOrEqual(5);
    expect(new Set(placed.map((r) => r.traceId))).toEqual(new Set(orderSpans.map((s) => s.traceId)));
    await receiver.close();
  }, 30_000);
});
