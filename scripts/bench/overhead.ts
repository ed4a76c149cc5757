/**
 * Part `overhead` of `npm run bench`: what the telemetry bootstrap costs the services, on a cheap
 * route (GET /api/products, a cache hit) and on a route that does real work (POST /api/orders), in
 * four modes side by side — telemetry on (exporting OTLP to a real Collector), telemetry on plus
 * continuous profiling (PROFILING_ENABLED=true, pushing to a Pyroscope stand-in; off in every other
 * mode), OTEL_SDK_DISABLED=true, and no bootstrap at all:
 *   1. throughput at saturation (closed loop, autocannon) → "kept" = on ÷ no bootstrap;
 *   2. latency below saturation, at a fixed open-model arrival rate of half the no-bootstrap capacity
 *      measured in step 1 → p50/p99 "added" = on − no bootstrap;
 *   3. in both, each service process's own CPU time per request (from /proc) → "telemetry CPU per
 *      request" = on − no bootstrap; "profiling CPU per request" = profiled − on.
 * Modes rotate their order every round; the machine is shared, so only side-by-side ratios and
 * differences carry over between runs. Needs Postgres and Redis (scripts/backends.sh start); uses
 * DATABASE_URL / REDIS_URL when set.
 */
import type { BenchPart } from './report.ts';
import { openLoad, saturate, type OpenWindow, type SaturationWindow } from './overhead-load.ts';
import {
  median,
  overheadMarkdown,
  summarizeRoute,
  TARGETS,
  type ModeId,
  type OverheadSettings,
  type RouteResults,
} from './overhead-report.ts';
import { cacheHitRoute, checkoutRoute, type BenchRoute } from './overhead-routes.ts';
import { MODES, waitUntilQuiet } from './overhead-services.ts';
import { startStack, type ModeServices } from './overhead-stack.ts';

const FULL: OverheadSettings = {
  rounds: 3,
  connections: 50,
  warmupSeconds: 2,
  saturationSeconds: 8,
  openSeconds: 8,
  openConnections: 64,
  // High enough that a stall of the shared machine queues (and shows as latency) instead of dropping;
  // only a mode that cannot serve the rate at all reaches it.
  maxInFlight: 1024,
};
const SMOKE: typeof FULL = { ...FULL, rounds: 1, warmupSeconds: 0.5, saturationSeconds: 2.5, openSeconds: 2.5 };

const log = (message: string) => console.log(`[overhead] ${message}`);
const byMode = <T>(): Record<ModeId, T[]> => ({ on: [], profiled: [], disabled: [], bare: [] });

/** The services of each mode in this round's order: the first mode moves one place on each round. */
const rotated = (services: ModeServices[], round: number) => MODES.map((_, i) => services[(i + round) % services.length]!);

function checked<T extends { completed: number }>(window: T, what: string): T {
  if (window.completed === 0) throw new Error(`${what}: no request completed (is the service up? see the lines above)`);
  return window;
}

export const run: BenchPart = async (options) => {
  const settings = options.smoke ? SMOKE : FULL;
  const otelcolBin = options.tools.OTELCOL_BIN;
  if (!otelcolBin) throw new Error('OTELCOL_BIN missing from scripts/build-tools.sh --print-env');
  log('starting the Collector and one api + payments process per mode');
  const stack = await startStack({
    root: options.root,
    otelcolBin,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://otelkit:otelkit@127.0.0.1:5432/otelkit',
    redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  });
  try {
    const bareApi = stack.services.find((s) => s.mode.id === 'bare')!;
    const routes: BenchRoute[] = [cacheHitRoute, await checkoutRoute(bareApi.apiUrl)];
    const results = new Map<BenchRoute['id'], RouteResults>(
      routes.map((route) => [route.id, { route, openRate: 0, saturation: byMode<SaturationWindow>(), open: byMode<OpenWindow>() }]),
    );

    for (let round = 0; round < settings.rounds; round++) {
      for (const route of routes) {
        for (const services of rotated(stack.services, round)) {
          const what = `saturation round ${round + 1}/${settings.rounds} ${route.title} ${services.mode.id}`;
          const window = checked(await saturate(services, route, { ...settings, seconds: settings.saturationSeconds }), what);
          results.get(route.id)!.saturation[services.mode.id].push(window);
          log(
            `${what}: ${window.reqPerSec.toFixed(0)} req/s, api ${((window.apiCpuSeconds / window.completed) * 1e6).toFixed(0)} µs CPU/req, errors ${window.errors}`,
          );
          await waitUntilQuiet([services.api, services.payments, stack.collector]);
        }
      }
    }

    for (const route of results.values()) route.openRate = median(route.saturation.bare.map((w) => w.reqPerSec)) / 2;
    for (let round = 0; round < settings.rounds; round++) {
      for (const route of routes) {
        const rate = results.get(route.id)!.openRate;
        for (const services of rotated(stack.services, round)) {
          const what = `open model round ${round + 1}/${settings.rounds} ${route.title} ${services.mode.id} at ${rate.toFixed(0)} req/s`;
          const window = checked(
            await openLoad(services, route, {
              rate,
              warmupSeconds: settings.warmupSeconds,
              seconds: settings.openSeconds,
              connections: settings.openConnections,
              maxInFlight: settings.maxInFlight,
            }),
            what,
          );
          results.get(route.id)!.open[services.mode.id].push(window);
          log(
            `${what}: p50 ${window.p50Ms.toFixed(2)} ms, p99 ${window.p99Ms.toFixed(2)} ms, api ${((window.apiCpuSeconds / window.completed) * 1e6).toFixed(0)} µs CPU/req, dropped ${window.dropped}, errors ${window.errors}`,
          );
          await waitUntilQuiet([services.api, services.payments, stack.collector]);
        }
      }
    }

    const profiles = stack.profilePushes();
    if (profiles.pushes === 0)
      throw new Error('the profiled mode pushed no profile: is continuous profiling starting? (PROFILING_ENABLED)');
    const peakRssMiB = stack.peakRssMiB();
    const cacheHit = summarizeRoute(results.get('cacheHit')!);
    const checkout = summarizeRoute(results.get('checkout')!);
    const markdown = overheadMarkdown(
      settings,
      [
        { route: cacheHitRoute, summary: cacheHit },
        { route: results.get('checkout')!.route, summary: checkout },
      ],
      { cacheHit, checkout },
      { profiles, peakRssMiB },
    );
    return {
      part: 'overhead',
      title: 'Instrumentation overhead: throughput kept, latency and CPU added per request',
      markdown,
      numbers: {
        settings: { ...settings },
        cacheHit: withoutPaymentsNumbers(cacheHit),
        checkout,
        profiling: {
          pushes: profiles.pushes,
          pushedKiB: Math.round(profiles.bytes / 1024),
          cacheHit: withoutPaymentsNumbers(cacheHit).profiling,
          checkout: checkout.profiling,
          peakRssMiB,
        },
        targets: {
          cacheHitKeptPct: { target: TARGETS.cacheHitKeptPct, measured: cacheHit.keptPct },
          checkoutKeptPct: { target: TARGETS.checkoutKeptPct, measured: checkout.keptPct },
          cacheHitAddedP99Ms: { target: TARGETS.addedP99Ms, measured: cacheHit.addedP99Ms },
          checkoutAddedP99Ms: { target: TARGETS.addedP99Ms, measured: checkout.addedP99Ms },
          cacheHitTelemetryCpuUs: { target: TARGETS.cacheHitTelemetryCpuUs, measured: cacheHit.telemetryCpuUsPerReq },
        },
      },
    };
  } finally {
    await stack.stop();
  }
};

/** The cache-hit route never calls payments: its (idle) payments numbers would only be noise. */
function withoutPaymentsNumbers(summary: ReturnType<typeof summarizeRoute>) {
  const paymentsKeys = new Set([
    'telemetryPaymentsCpuUsPerReq',
    'belowSaturationTelemetryPaymentsCpuUsPerReq',
    'saturationPaymentsCpuUsPerReq',
    'paymentsCpuUsPerReq',
    'belowSaturationPaymentsCpuUsPerReq',
  ]);
  const strip = (record: object) => Object.fromEntries(Object.entries(record).filter(([key]) => !paymentsKeys.has(key)));
  return {
    ...strip(summary),
    modes: Object.fromEntries(Object.entries(summary.modes).map(([id, m]) => [id, strip(m)])),
    profiling: strip(summary.profiling),
  };
}
