import autocannon from 'autocannon';
import { ApiClient } from '../../src/loadgen/client.ts';
import { arrivalTime } from '../../src/loadgen/schedule.ts';
import { LoadStats } from '../../src/loadgen/stats.ts';
import type { BenchRoute } from './overhead-routes.ts';
import type { ModeServices } from './overhead-stack.ts';

/** What one measured window gives: requests served, and the CPU the api and payments processes spent on them. */
export interface Window {
  seconds: number;
  completed: number;
  errors: number;
  apiCpuSeconds: number;
  paymentsCpuSeconds: number;
  /** The Collector's CPU over the window: what receiving and writing this mode's OTLP costs the shared machine. */
  collectorCpuSeconds: number;
}

export interface SaturationWindow extends Window {
  reqPerSec: number;
}

export interface OpenWindow extends Window {
  offeredRate: number;
  sent: number;
  dropped: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs `load` between two readings of the services' CPU time, so the CPU belongs to exactly that window. */
async function withCpu<T extends { completed: number }>(services: ModeServices, load: () => Promise<T>) {
  const api = services.api.cpuSeconds();
  const payments = services.payments.cpuSeconds();
  const collector = services.collector.cpuSeconds();
  const started = performance.now();
  const result = await load();
  return {
    ...result,
    seconds: (performance.now() - started) / 1000,
    apiCpuSeconds: services.api.cpuSeconds() - api,
    paymentsCpuSeconds: services.payments.cpuSeconds() - payments,
    collectorCpuSeconds: services.collector.cpuSeconds() - collector,
  };
}

/** Closed loop: `connections` clients each send the next request as soon as the previous answered. */
export async function saturate(
  services: ModeServices,
  route: BenchRoute,
  settings: { connections: number; warmupSeconds: number; seconds: number },
) {
  const run = (duration: number) =>
    autocannon({ url: services.apiUrl, connections: settings.connections, duration, requests: [route.autocannonRequest] });
  await run(settings.warmupSeconds); // JIT, pools, keep-alive connections, the catalogue cache
  const window = await withCpu(services, async () => {
    const result = await run(settings.seconds);
    return { completed: result.requests.total, errors: result.errors + result.non2xx };
  });
  return { ...window, reqPerSec: window.completed / window.seconds } satisfies SaturationWindow;
}

/**
 * Open model: request k starts at its scheduled time k / rate whatever the earlier ones are doing, so
 * a slower server shows as latency (and, past `maxInFlight` requests waiting, as dropped arrivals)
 * instead of as a lower offered rate, which is what a closed loop like autocannon would measure.
 * Latency runs from the moment the request is issued to its last response byte.
 */
async function fire(client: ApiClient, route: BenchRoute, rate: number, seconds: number, maxInFlight: number) {
  const stats = new LoadStats();
  const inFlight = new Set<Promise<void>>();
  const plan = { rate, fromRate: rate, rampSeconds: 0, durationSeconds: seconds };
  const start = performance.now();
  for (let k = 1; ; k++) {
    const at = arrivalTime(plan, k);
    if (at === undefined) break;
    const wait = start + at * 1000 - performance.now();
    // Timers fire at ≥ 1 ms granularity: arrivals due meanwhile are sent back to back on wake-up.
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    stats.sent++;
    if (inFlight.size >= maxInFlight) {
      stats.dropped++;
      continue;
    }
    const request: Promise<void> = route
      .send(client)
      .then((result) => stats.record(route.id, result.latencyMs, result.status, route.isOk(result.status)))
      .finally(() => inFlight.delete(request));
    inFlight.add(request);
  }
  await Promise.allSettled(inFlight);
  return stats.snapshot();
}

export async function openLoad(
  services: ModeServices,
  route: BenchRoute,
  settings: { rate: number; warmupSeconds: number; seconds: number; connections: number; maxInFlight: number },
): Promise<OpenWindow> {
  const client = new ApiClient(services.apiUrl, settings.connections);
  try {
    await fire(client, route, settings.rate, settings.warmupSeconds, settings.maxInFlight);
    const window = await withCpu(services, async () => {
      const snapshot = await fire(client, route, settings.rate, settings.seconds, settings.maxInFlight);
      return {
        completed: snapshot.completed,
        errors: snapshot.errors,
        sent: snapshot.sent,
        dropped: snapshot.dropped,
        p50Ms: snapshot.p50Ms,
        p99Ms: snapshot.p99Ms,
      };
    });
    return { ...window, offeredRate: settings.rate };
  } finally {
    await client.close();
  }
}
