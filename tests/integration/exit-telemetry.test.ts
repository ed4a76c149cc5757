import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePort } from '../helpers/ports.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { call } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';

/**
 * Every way a process ends delivers its telemetry: a crash inside a span, a second SIGTERM, a drain
 * cut by the shutdown timeout. Nothing is exported on schedule (600 s delays): what the receiver
 * holds was flushed on the way out.
 */
const ADMIN_TOKEN = 'exit-telemetry-token-0123';
const SHUTDOWN_TIMEOUT_MS = 4_000;
const started: ServiceProcess[] = [];
const receivers: OtlpJsonReceiver[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
  await Promise.all(receivers.map((r) => r.close()));
});

async function otlpReceiver() {
  const receiver = new OtlpJsonReceiver();
  receivers.push(receiver);
  const endpoint = await receiver.start();
  const env = {
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRIC_EXPORT_INTERVAL: '600000',
    OTEL_BSP_SCHEDULE_DELAY: '600000',
    OTEL_BLRP_SCHEDULE_DELAY: '600000',
  };
  return { receiver, env };
}

const attributesOf = (item: any): Record<string, unknown> =>
  Object.fromEntries((item.attributes ?? []).map((a: any) => [a.key, Object.values(a.value)[0]]));
const bodies = (receiver: OtlpJsonReceiver) => receiver.logRecords().map((r) => r.body?.stringValue);

/** An api with a 60 s CPU profile being taken when the test signals it. */
async function apiProfiling(env: Record<string, string>) {
  const port = await freePort();
  const api = new ServiceProcess('api', {
    ...env,
    PORT: String(port),
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    PAYMENTS_URL: 'http://127.0.0.1:9',
    ADMIN_TOKEN,
    SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS),
  }).start();
  started.push(api);
  const url = `http://127.0.0.1:${port}`;
  await waitForHttp(`${url}/health/ready`, api);
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  const profile = call(url, 'POST', '/admin/profile?type=cpu&seconds=60', { headers }).catch((error: unknown) => error);
  // A second profile is refused while the first runs: the 409 says the capture has started.
  await eventually(
    () => call(url, 'POST', '/admin/profile?type=cpu&seconds=1', { headers }).then((r) => r.status),
    (status) => status === 409,
  );
  return { api, profile };
}

describe('telemetry on the way out', () => {
  it('a crash inside a span: the span ends with status ERROR and error.type, and reaches the backend with the fatal log record', async () => {
    const { receiver, env } = await otlpReceiver();
    const crash = new ServiceProcess('../../tests/fixtures/crash-in-span', env).start();
    started.push(crash);
    expect(await crash.waitForExit(15_000)).toBe(1);
    const span = receiver.spans().find((s) => s.name === 'doomed_operation');
    expect(span?.status?.code).toBe(2); // STATUS_CODE_ERROR
    expect(attributesOf(span)).toMatchObject({ 'error.type': 'RangeError' });
    expect(span.events ?? []).toEqual([]);
    const record = receiver.logRecords().find((r) => r.body?.stringValue === 'uncaught_exception');
    expect(attributesOf(record)).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'offset out of range' });
    expect(record.traceId).toBe(span.traceId);
  });

  it('a drain longer than the shutdown allows (a 60 s profile capture) is cut, and the final flush still runs', async () => {
    const { receiver, env } = await otlpReceiver();
    const { api, profile } = await apiProfiling(env);
    expect(await api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000)).toBe(1);
    expect(await profile).toBeInstanceOf(Error);
    // Cut at the drain's deadline, then flushed: these records travel only in the final flush, which
    // the forced exit at SHUTDOWN_TIMEOUT_MS would have skipped (no wall-clock bound needed).
    expect(bodies(receiver)).toEqual(expect.arrayContaining(['shutdown_started', 'shutdown_timed_out']));
  }, 40_000);

  it('a second SIGTERM during the drain flushes and exits 1 instead of getting the default kill', async () => {
    const { receiver, env } = await otlpReceiver();
    const { api } = await apiProfiling(env);
    const exited = api.stop('SIGTERM', SHUTDOWN_TIMEOUT_MS + 5_000);
    await eventually(() => api.jsonLines().some((l) => l.message === 'shutdown_started'), Boolean);
    process.kill(api.pid!, 'SIGTERM');
    expect(await exited).toBe(1);
    expect(bodies(receiver)).toEqual(expect.arrayContaining(['shutdown_started', 'shutdown_forced']));
    expect(bodies(receiver)).not.toContain('shutdown_timed_out');
  }, 40_000);
});
