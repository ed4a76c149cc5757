import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';
import { createPaymentsApp } from '../../src/http/payments-app.ts';
import type { OnDemandProfiler } from '../../src/profiling/on-demand.ts';
import { loadApiConfig, loadPaymentsConfig } from '../../src/config/service-config.ts';

const TOKEN = 'unit-admin-token-123';

/** A profiler that records whether a snapshot was taken, and answers a tiny one. */
function stubProfiler() {
  const taken: string[] = [];
  const profiler = {
    busy: undefined,
    heapSnapshot: () => {
      taken.push('heap');
      return Readable.from([Buffer.from('{"snapshot":{}}')]);
    },
    cpuProfile: async () => ({}),
  } as unknown as OnDemandProfiler;
  return { profiler, taken };
}

const app = (profiler: OnDemandProfiler, heapSnapshots?: boolean) =>
  createPaymentsApp({
    logger: { info() {}, warn() {}, error() {} },
    checks: [],
    dependencyTimeoutMs: 100,
    bodyLimitBytes: 4096,
    simulator: new GatewaySimulator({ latencyMs: 0, failureRate: 0, declineRate: 0 }),
    adminToken: TOKEN,
    profiler,
    ...(heapSnapshots === undefined ? {} : { heapSnapshots }),
  });

const heap = (service: ReturnType<typeof app>) =>
  service.request('/admin/profile?type=heap', {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'x-request-id': 'req-heap' },
  });

describe('heap snapshots are off unless enabled explicitly', () => {
  it('answers 404 heap_snapshot_disabled with the setting to change, even with the admin token, and takes no snapshot', async () => {
    const { profiler, taken } = stubProfiler();
    const response = await heap(app(profiler));
    expect(response.status).toBe(404);
    const body = (await response.json()) as Record<string, string>;
    expect(body).toMatchObject({ error: 'heap_snapshot_disabled', request_id: 'req-heap' });
    expect(body.message).toContain('HEAP_SNAPSHOT_ENABLED=true');
    expect(taken).toEqual([]);
  });

  it('answers the snapshot when switched on', async () => {
    const { profiler, taken } = stubProfiler();
    const response = await heap(app(profiler, true));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"snapshot":{}}');
    expect(taken).toEqual(['heap']);
  });

  it('HEAP_SNAPSHOT_ENABLED defaults to false in both services; a bad value fails naming it', () => {
    expect(loadApiConfig({}).HEAP_SNAPSHOT_ENABLED).toBe(false);
    expect(loadPaymentsConfig({}).HEAP_SNAPSHOT_ENABLED).toBe(false);
    expect(loadPaymentsConfig({ HEAP_SNAPSHOT_ENABLED: 'true' }).HEAP_SNAPSHOT_ENABLED).toBe(true);
    expect(() => loadApiConfig({ HEAP_SNAPSHOT_ENABLED: 'sure' })).toThrow(/HEAP_SNAPSHOT_ENABLED: expected true or false/);
  });
});
