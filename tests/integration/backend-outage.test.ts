import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import type { ServiceProcess } from '../helpers/service-process.ts';
import { startShopPair } from '../helpers/shop-pair.ts';
import { call, newSession } from '../helpers/shop-client.ts';
import { peakMemoryMiB, steadyLoad, tally, type LoadResult } from '../helpers/steady-load.ts';
import { TcpProxy } from '../helpers/tcp-proxy.ts';
import { eventually } from '../helpers/telemetry.ts';

// The api reaches Postgres and Redis only through these proxies, so the test can cut its network to
// either one while the api keeps running (refused connections, reset sockets), then give it back.
const postgresProxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_DATABASE_URL).port || 5432) });
const redisProxy = new TcpProxy({ host: '127.0.0.1', port: Number(new URL(TEST_REDIS_URL).port || 6379) });
let API: string;
const OUTAGE_MS = 5_000;
// src/infra/db/connect.ts: postgres.js connect_timeout (5 s).
const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
const RATE = 50;

const receiver = new OtlpJsonReceiver();
let payments: ServiceProcess;
let api: ServiceProcess;
let token: string;
const report: string[] = [];

beforeAll(async () => {
  await postgresProxy.restore();
  await redisProxy.restore();
  const otel = {
    OTEL_EXPORTER_OTLP_ENDPOINT: await receiver.start(),
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    OTEL_METRIC_EXPORT_INTERVAL: '1000',
  };
  ({
    api,
    payments,
    apiUrl: API,
  } = await startShopPair(otel, {
    databaseUrl: postgresProxy.rewrite(TEST_DATABASE_URL),
    redisUrl: redisProxy.rewrite(TEST_REDIS_URL),
  }));
  token = (await newSession(API)).token;
}, 30_000);

afterAll(async () => {
  await Promise.all([api?.stop('SIGKILL').catch(() => {}), payments?.stop('SIGKILL').catch(() => {})]);
  await Promise.all([postgresProxy.cut(), redisProxy.cut(), receiver.close()]);
  if (report.length > 0) writeFileSync(process.env.FAULTS_REPORT ?? '/dev/null', `${report.join('\n')}\n`, { flag: 'a' });
});

/** Sent and answered while the network was cut (`at` is whole ms: 1 ms of slack at the end). */
const answeredWithin = (r: LoadResult, from: number, to: number) => r.at >= from && r.at + r.latencyMs <= to - 1;

const ready = () => call(API, 'GET', '/health/ready');
const spansBetween = (from: number, to: number) =>
  receiver.spans().filter((s) => {
    const startMs = Number(BigInt(s.startTimeUnixNano) / 1_000_000n);
    return startMs >= from && startMs < to;
  }).length;

/** One row of the per-fault table: requests served, errors by status, spans exported, memory peak. */
function record(fault: string, results: LoadResult[], from: number, to: number) {
  const during = tally(results, from, to);
  const row = {
    fault,
    sent: during.sent,
    served: during.served,
    errors: JSON.stringify(during.errors),
    spans_exported_during_fault: spansBetween(from, to),
    api_vmhwm_mib: peakMemoryMiB(api.pid!),
  };
  report.push(`| ${Object.values(row).join(' | ')} |`);
  return row;
}

describe('backend outages under a steady mixed load, recovered without a restart', () => {
  it('Postgres down: readiness 503 naming postgres, orders fail fast with a 503 JSON, then recover', async () => {
    const load = steadyLoad(API, token, RATE);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await postgresProxy.cut();
    // From here every new request finds the network to Postgres gone: no grace period.
    const from = Date.now();
    const down = await eventually(ready, (r) => r.status === 503);
    expect(down.body.checks.postgres.status).toBe('fail');
    expect(down.body.checks.redis.status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const to = Date.now();
    await postgresProxy.restore();
    expect((await eventually(ready, (r) => r.status === 200, 15_000)).body.checks.postgres.status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const results = await load.stop();

    // Every order made and answered while Postgres was away failed with a 503 JSON, however many the machine sent.
    const failedOrders = results.filter((r) => r.kind === 'order' && answeredWithin(r, from, to));
    expect(failedOrders.length, JSON.stringify(tally(results, from, to))).toBeGreaterThan(0);
    expect(new Set(failedOrders.map((r) => r.status))).toEqual(new Set([503]));
    for (const order of failedOrders) {
      expect(order.body).toMatchObject({ error: expect.any(String), request_id: expect.any(String) });
    }
    // Fail fast: the answer comes from a refused connection, never from waiting out connect_timeout
    // or postgres.js's reconnect backoff (up to 20 s), which are the only ways to be that slow.
    const latencies = failedOrders.map((r) => r.latencyMs).sort((a, b) => a - b);
    expect(latencies.at(-1), `p50 ${latencies[Math.floor(latencies.length / 2)]} ms`).toBeLessThan(POSTGRES_CONNECT_TIMEOUT_MS);
    expect(results.filter((r) => r.at >= from && r.at < to).every((r) => r.status !== 0 && r.status !== 500)).toBe(true);
    expect(results.some((r) => r.kind === 'order' && r.status === 201 && r.at > to)).toBe(true);
    expect(api.running).toBe(true);

    const row = record('postgres down 5 s', results, from, to);
    expect(row.spans_exported_during_fault).toBeGreaterThan(0);
  }, 30_000);

  it('Redis down: products still served (cache bypass), the rate limiter fails open with a warning, then recover', async () => {
    const load = steadyLoad(API, token, RATE);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await redisProxy.cut();
    const from = Date.now();
    const down = await eventually(ready, (r) => r.status === 503);
    expect(down.body.checks.redis.status).toBe('fail');
    expect(down.body.checks.postgres.status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));
    const to = Date.now();
    await redisProxy.restore();
    expect((await eventually(ready, (r) => r.status === 200, 15_000)).body.checks.redis.status).toBe('ok');
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const results = await load.stop();

    const products = results.filter((r) => r.kind === 'products' && answeredWithin(r, from, to));
    expect(products.length).toBeGreaterThan(0);
    expect(products.every((r) => r.status === 200)).toBe(true);
    // Sessions live in Redis: an order cannot be authenticated, so it is a 503, never a 401 or 500.
    const orders = results.filter((r) => r.kind === 'order' && answeredWithin(r, from, to));
    expect(orders.length).toBeGreaterThan(0);
    expect(new Set(orders.map((r) => r.status))).toEqual(new Set([503]));
    expect(api.jsonLines().some((l) => l.message === 'rate_limiter_unavailable' && l.level === 'warn')).toBe(true);
    expect(results.some((r) => r.kind === 'order' && r.status === 201 && r.at > to)).toBe(true);
    expect(api.running).toBe(true);

    const row = record('redis down 5 s', results, from, to);
    expect(row.spans_exported_during_fault).toBeGreaterThan(0);
  }, 30_000);
});
