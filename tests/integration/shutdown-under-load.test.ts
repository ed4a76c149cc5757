import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { loadApiConfig } from '../../src/config/service-config.ts';
import { OTEL_DEFAULTS } from '../../src/instrumentation/otel-defaults.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { HeldPayments } from '../helpers/held-payments.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePorts } from '../helpers/ports.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';

const SHUTDOWN_TIMEOUT_MS = loadApiConfig({}).SHUTDOWN_TIMEOUT_MS;
const started: ServiceProcess[] = [];
const closers: Array<() => Promise<unknown>> = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
  await Promise.all(closers.map((close) => close()));
});

/**
 * The api, on a port the OS assigns, in front of a payments service that holds every charge until the
 * test releases it: the orders are in flight for certain when the api gets SIGTERM.
 */
async function startApi(otel: Record<string, string>) {
  const payments = new HeldPayments();
  const paymentsUrl = await payments.start();
  const { port } = await freePorts('port');
  const api = new ServiceProcess('api', {
    ...otel,
    PORT: String(port),
    PAYMENTS_URL: paymentsUrl,
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
  }).start();
  started.push(api);
  closers.push(() => payments.close());
  await waitForHttp(`http://127.0.0.1:${port}/health/ready`, api);
  return { api, payments, port, url: `http://127.0.0.1:${port}` };
}

const logged = (service: ServiceProcess, message: string) =>
  eventually(
    () => service.jsonLines(),
    (lines) => lines.some((l) => l.message === message),
  );

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
    const { api, payments, port, url } = await startApi({
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    });
    const { token } = await newSession(url);
    const inFlight = placeOrders(url, token, 10);
    await payments.arrived(10);
    const exited = api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000);
    // Refused while the ten orders are still held at payments, i.e. during the drain.
    await eventually(
      () => accepts(port),
      (accepted) => !accepted,
    );
    expect(payments.waiting).toBe(10);
    payments.release();

    const answers = await Promise.all(inFlight);
    expect(answers.map((a) => a.status)).toEqual(Array(10).fill(201));
    // Exit 0 only from a drain and a flush that ended in time: a drain past its share of
    // SHUTDOWN_TIMEOUT_MS exits 1 (shutdown_timed_out), so does the timer at SHUTDOWN_TIMEOUT_MS.
    expect(await exited).toBe(0);
    expect(api.jsonLines().some((l) => l.message === 'shutdown_completed')).toBe(true);
    expect(api.jsonLines().some((l) => l.message === 'shutdown_timed_out')).toBe(false);
    collector.close();
  }, 30_000);

  it('with the Collector reached only at shutdown: a span, a metric point and a log record of the in-flight requests arrive', async () => {
    const receiver = new OtlpJsonReceiver();
    const endpoint = await receiver.start();
    // Nothing is exported on schedule during the test: whatever arrives was flushed by the shutdown.
    const { api, payments, url } = await startApi({
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '600000',
      OTEL_BSP_SCHEDULE_DELAY: '600000',
      OTEL_BLRP_SCHEDULE_DELAY: '600000',
    });
    const { token } = await newSession(url);
    const inFlight = placeOrders(url, token, 5);
    await payments.arrived(5);
    expect(receiver.raw).toHaveLength(0);
    const exited = api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000);
    // The orders complete during the shutdown: their telemetry can only come from its flush.
    await logged(api, 'shutdown_started');
    payments.release();
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
