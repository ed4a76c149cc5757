import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePorts } from '../helpers/ports.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { CARD, call, newSession } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';

const backends = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, ADMIN_TOKEN: 'process-test-admin-token' };
const started: ServiceProcess[] = [];
const startService = (name: string, env: NodeJS.ProcessEnv) => {
  const service = new ServiceProcess(name, env).start();
  started.push(service);
  return service;
};
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
});

/** The api and payments on ports the OS assigns. */
async function servicePorts() {
  const ports = await freePorts('api', 'payments');
  return { ports, apiUrl: `http://127.0.0.1:${ports.api}`, paymentsUrl: `http://127.0.0.1:${ports.payments}` };
}

const attr = (item: any, key: string) => item.attributes?.find((a: any) => a.key === key)?.value;
const stringValue = (item: any, key: string) => attr(item, key)?.stringValue;

describe('services started with the real --import bootstrap', () => {
  it('export route-named server spans, correlated log records and metrics over OTLP, and flush on SIGTERM', async () => {
    const receiver = new OtlpJsonReceiver();
    const endpoint = await receiver.start();
    const otel = { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json', OTEL_METRIC_EXPORT_INTERVAL: '1000' };
    const { apiUrl, paymentsUrl, ports } = await servicePorts();
    const payments = startService('payments', { ...otel, PORT: String(ports.payments), PAYMENTS_DECLINE_RATE: '0' });
    const api = startService('api', { ...backends, ...otel, PORT: String(ports.api), PAYMENTS_URL: paymentsUrl });
    await waitForHttp(`${paymentsUrl}/health/ready`, payments);
    await waitForHttp(`${apiUrl}/health/ready`, api);

    const session = await newSession(apiUrl);
    const order = await call(apiUrl, 'POST', '/api/orders', {
      token: session.token,
      body: { items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD },
    });
    expect(order.status).toBe(201);
    expect(await api.stop()).toBe(0);
    expect(await payments.stop()).toBe(0);

    const spans = receiver.spans();
    const server = spans.find((s) => s.name === 'POST /api/orders');
    expect(server, `span names: ${[...new Set(spans.map((s) => s.name))].join(', ')}`).toBeDefined();
    expect(stringValue(server, 'http.route')).toBe('/api/orders');
    expect(stringValue(server.resource, 'service.name')).toBe('api');
    expect(stringValue(server.resource, 'service.namespace')).toBe('otelkit');
    expect(stringValue(server.resource, 'service.instance.id')).toBeTruthy();
    const chargeServer = spans.find((s) => s.name === 'POST /charges');
    expect(chargeServer.traceId).toBe(server.traceId);
    expect(stringValue(chargeServer.resource, 'service.name')).toBe('payments');

    const placed = receiver.logRecords().find((r) => r.body?.stringValue === 'order_placed');
    expect(placed?.traceId).toBe(server.traceId);
    expect(stringValue(placed, 'request_id')).toBeTruthy();
    expect(receiver.metricNames()).toEqual(expect.arrayContaining(['http.server.request.duration', 'shop.orders', 'process.cpu.time']));
    await receiver.close();
  });

  it('keep answering 2xx without crashing while the collector endpoint is unreachable', async () => {
    const otel = {
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:9',
      OTEL_EXPORTER_OTLP_TIMEOUT: '1000',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
    };
    const { apiUrl: url, paymentsUrl, ports } = await servicePorts();
    const payments = startService('payments', { ...otel, PORT: String(ports.payments) });
    const api = startService('api', {
      ...backends,
      ...otel,
      PORT: String(ports.api),
      PAYMENTS_URL: paymentsUrl,
      PAYMENTS_DECLINE_RATE: '0',
    });
    await waitForHttp(`${url}/health/ready`, api);
    await waitForHttp(`${paymentsUrl}/health/ready`, payments);
    const session = await newSession(url);
    // 60 requests 50 ms apart last at least 3 s (a timer never fires early): several failed span,
    // log and metric exports (one metric export a second), however slow the machine.
    for (let i = 0; i < 60; i++) {
      expect((await call(url, 'GET', '/api/products')).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const order = await call(url, 'POST', '/api/orders', {
      token: session.token,
      body: { items: [{ sku: 'CAP-METRIC', quantity: 1 }], payment: CARD },
    });
    expect(order.status).toBe(201);
    expect(api.running).toBe(true);
    // Export failures are reported, but throttled rather than one stack per failed batch: inside the
    // throttle's 30 s (longer than this test may run), each distinct message once.
    const failures = api.output.filter((line) => line.includes('telemetry export failed'));
    expect(failures.length).toBeGreaterThan(0);
    const messages = failures.map((line) => line.replace(/ \(\d+ similar errors suppressed\)/, ''));
    expect(messages).toEqual([...new Set(messages)]);
    expect(await api.stop()).toBe(0);
    expect(await payments.stop()).toBe(0);
  });

  it('exit non-zero with a fatal startup_failed line when a dependency stays down', async () => {
    const api = startService('api', {
      DATABASE_URL: 'postgres://otelkit:otelkit@127.0.0.1:9/otelkit',
      REDIS_URL: TEST_REDIS_URL,
      PORT: String((await freePorts('api')).api),
      STARTUP_RETRIES: '2',
      STARTUP_RETRY_DELAY_MS: '100',
      OTEL_SDK_DISABLED: 'true',
    });
    expect(await api.waitForExit(20_000)).toBe(1);
    const fatal = api.jsonLines().find((l) => l.message === 'startup_failed');
    expect(fatal).toMatchObject({ level: 'fatal', attempts: 2 });
    expect(Object.keys(fatal!.dependencies as object)).toEqual(['postgres']);
    expect(api.jsonLines().some((l) => l.message === 'dependency_unavailable')).toBe(true);
  });

  it('exit at once with a message naming a broken setting', async () => {
    const api = startService('api', { PORT: 'eighty', PAYMENTS_URL: 'not a url', OTEL_SDK_DISABLED: 'true' });
    expect(await api.waitForExit(10_000)).toBe(78);
    const line = api.jsonLines().find((l) => l.message === 'config_invalid');
    expect(line?.error).toMatch(/PORT/);
    expect(line?.error).toMatch(/PAYMENTS_URL/);
  });
});

describe('the worker process', () => {
  it('logs each Alertmanager notification it receives as a structured line', async () => {
    const { worker: port } = await freePorts('worker');
    const worker = startService('worker', { ...backends, PORT: String(port), OTEL_SDK_DISABLED: 'true' });
    await waitForHttp(`http://127.0.0.1:${port}/health/ready`, worker);
    const response = await fetch(`http://127.0.0.1:${port}/alerts/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'alert-log',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'HighErrorRate', severity: 'critical', service_name: 'api' },
            annotations: { summary: 's', runbook_url: 'u' },
            startsAt: new Date().toISOString(),
          },
        ],
      }),
    });
    expect(response.status).toBe(200);
    await eventually(
      () => worker.jsonLines().find((l) => l.message === 'alert_firing'),
      (l) => l !== undefined,
    );
    expect(worker.jsonLines().find((l) => l.message === 'alert_firing')).toMatchObject({
      alertname: 'HighErrorRate',
      severity: 'critical',
    });
    expect(await worker.stop()).toBe(0);
  });
});
