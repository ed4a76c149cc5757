/**
 * Part `overhead` of `npm run bench`: what the telemetry bootstrap costs the services, on a cheap
 * route (GET /api/products, a cache hit) and on a route that does real work (POST /api/orders), in
 * these modes side by side — the two profiles (100% sampling, the demo default; OTELKIT_PROFILE=
 * production), telemetry on plus continuous profiling, OTEL_SDK_DISABLED=true, no bootstrap at all —
 * and the points of the cost curve (25/10/1% sampling × request logs on/off):
 *   1. throughput at saturation (closed loop, autocannon), every mode → "kept" = mode ÷ no bootstrap,
 *      then again for the headline, the two profiles and no bootstrap only, in many short rounds;
 *   2. latency below saturation, main modes only, at a fixed open-model arrival rate every mode can
 *      serve (a quarter of the slowest main mode's saturation throughput) → p50/p99 "added" = mode − no bootstrap;
 *   3. in both, each service process's own CPU time per request (from /proc) → "telemetry CPU per
 *      request" = mode − no bootstrap; "profiling CPU per request" = profiled − on.
 * Modes rotate their order every round; every ratio and difference is taken within a round, then the
 * median over rounds; the machine is shared, so only such side-by-side figures carry over between
 * runs. Each phase prints how long it took. Needs Postgres and Redis (scripts/backends.sh start); its
 * data goes where bench-backends.ts says.
 */
import { BENCH_DATABASE_URL, BENCH_REDIS_URL } from './bench-backends.ts';
import type { BenchPart } from './report.ts';
import { openLoad, saturate, type OpenWindow, type SaturationWindow } from './overhead-load.ts';
import { median, overheadMarkdown, summarizeRoute, TARGETS, type OverheadSettings, type RouteResults } from './overhead-report.ts';
import { cacheHitRoute, checkoutRoute, type BenchRoute } from './overhead-routes.ts';
import { MAIN_MODES, MODES, PROFILE_MODE_IDS, waitUntilQuiet, type Mode } from './overhead-services.ts';
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
  curveSeconds: 6,
  // The headline (profiles vs no bootstrap): many short rounds, each a few seconds from its pair.
  pairedRounds: 8,
  pairedSeconds: 4,
  // A quarter of the slowest mode's capacity: the api, the load generator, the Collector, Postgres
  // and Redis share 2 cores; at half (the earlier share) the machine itself queued.
  openShare: 0.25,
};
const SMOKE: typeof FULL = {
  ...FULL,
  rounds: 1,
  warmupSeconds: 0.5,
  saturationSeconds: 2,
  openSeconds: 2,
  curveSeconds: 1,
  pairedRounds: 1,
  pairedSeconds: 1,
};

const log = (message: string) => console.log(`[overhead] ${message}`);
const byMode = <T>(modes: readonly Mode[]) => Object.fromEntries(modes.map((m) => [m.id, [] as T[]])) as Record<Mode['id'], T[]>;
const isMain = (services: ModeServices) => MAIN_MODES.includes(services.mode);

/** The services of each mode in this round's order: the first mode moves one place on each round. */
const rotated = (services: ModeServices[], round: number) => services.map((_, i) => services[(i + round) % services.length]!);

/** Runs one phase and prints how long it took (the full run is long: the reader sees where it goes). */
async function phase<T>(name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const result = await work();
  log(`phase ${name}: ${((performance.now() - started) / 1000).toFixed(0)} s`);
  return result;
}

function checked<T extends { completed: number }>(window: T, what: string): T {
  if (window.completed === 0) throw new Error(`${what}: no request completed (is the service up? see the lines above)`);
  return window;
}

export const run: BenchPart = async (options) => {
  const settings = options.smoke ? SMOKE : FULL;
  const otelcolBin = options.tools.OTELCOL_BIN;
  if (!otelcolBin) throw new Error('OTELCOL_BIN missing from scripts/build-tools.sh --print-env');
  log('starting the Collector and one api + payments process per mode');
  const stack = await phase('start', () =>
    startStack({
      root: options.root,
      otelcolBin,
      databaseUrl: BENCH_DATABASE_URL,
      redisUrl: BENCH_REDIS_URL,
    }),
  );
  try {
    const bareApi = stack.services.find((s) => s.mode.id === 'bare')!;
    const routes: BenchRoute[] = [cacheHitRoute, await checkoutRoute(bareApi.apiUrl)];
    const results = new Map<BenchRoute['id'], RouteResults>(
      routes.map((route) => [
        route.id,
        {
          route,
          openRate: 0,
          saturation: byMode<SaturationWindow>(MODES),
          paired: Object.fromEntries(PROFILE_MODE_IDS.map((id) => [id, []])) as unknown as RouteResults['paired'],
          open: byMode<OpenWindow>(MAIN_MODES) as RouteResults['open'],
        },
      ]),
    );

    /** Rounds of saturation windows, modes rotated each round, each window stored in `into` of its route. */
    const saturationRounds = async (
      label: string,
      rounds: number,
      modes: ModeServices[],
      into: 'saturation' | 'paired',
      seconds: (s: ModeServices) => number,
    ) => {
      for (let round = 0; round < rounds; round++) {
        for (const route of routes) {
          for (const services of rotated(modes, round)) {
            const what = `${label} round ${round + 1}/${rounds} ${route.title} ${services.mode.id}`;
            const window = checked(await saturate(services, route, { ...settings, seconds: seconds(services) }), what);
            (results.get(route.id)![into] as Record<string, SaturationWindow[]>)[services.mode.id]!.push(window);
            log(
              `${what}: ${window.reqPerSec.toFixed(0)} req/s, api ${((window.apiCpuSeconds / window.completed) * 1e6).toFixed(0)} µs CPU/req, errors ${window.errors}`,
            );
            await waitUntilQuiet([services.api, services.payments, services.collector]);
          }
        }
      }
    };
    await phase('saturation (every mode, the curve included)', () =>
      saturationRounds('saturation', settings.rounds, stack.services, 'saturation', (s) =>
        isMain(s) ? settings.saturationSeconds : settings.curveSeconds,
      ),
    );
    const profileServices = stack.services.filter((s) => (PROFILE_MODE_IDS as readonly string[]).includes(s.mode.id));
    await phase('headline (the two profiles and no bootstrap, back to back)', () =>
      saturationRounds('headline', settings.pairedRounds, profileServices, 'paired', () => settings.pairedSeconds),
    );

    // One fixed rate per route that every main mode can serve with headroom: a share of the slowest one's capacity.
    for (const route of results.values()) {
      route.openRate = Math.min(...MAIN_MODES.map((m) => median(route.saturation[m.id].map((w) => w.reqPerSec)))) * settings.openShare;
    }
    const mainServices = stack.services.filter(isMain);
    await phase('open model (main modes)', async () => {
      for (let round = 0; round < settings.rounds; round++) {
        for (const route of routes) {
          const rate = results.get(route.id)!.openRate;
          for (const services of rotated(mainServices, round)) {
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
            results.get(route.id)!.open[services.mode.id as keyof RouteResults['open']].push(window);
            log(
              `${what}: p50 ${window.p50Ms.toFixed(2)} ms, p99 ${window.p99Ms.toFixed(2)} ms, api ${((window.apiCpuSeconds / window.completed) * 1e6).toFixed(0)} µs CPU/req, dropped ${window.dropped}, errors ${window.errors}`,
            );
            await waitUntilQuiet([services.api, services.payments, services.collector]);
          }
        }
      }
    });

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
        checkout: withoutCurve(checkout),
        profiling: {
          pushes: profiles.pushes,
          pushedKiB: Math.round(profiles.bytes / 1024),
          cacheHit: withoutPaymentsNumbers(cacheHit).profiling,
          checkout: checkout.profiling,
          peakRssMiB,
        },
        curve: { cacheHit: curveNumbers(cacheHit), checkout: curveNumbers(checkout) },
        targets: {
          productionCacheHitKeptPct: { target: TARGETS.productionCacheHitKeptPct, measured: cacheHit.production.keptPct },
          productionCheckoutKeptPct: { target: TARGETS.productionCheckoutKeptPct, measured: checkout.production.keptPct },
          cacheHitAddedP99Ms: { target: TARGETS.addedP99Ms, measured: cacheHit.addedP99Ms },
          checkoutAddedP99Ms: { target: TARGETS.addedP99Ms, measured: checkout.addedP99Ms },
          productionCacheHitAddedP99Ms: { target: TARGETS.productionAddedP99Ms, measured: cacheHit.production.addedP99Ms },
          productionCheckoutAddedP99Ms: { target: TARGETS.productionAddedP99Ms, measured: checkout.production.addedP99Ms },
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
    ...strip(withoutCurve(summary)),
    production: strip(summary.production),
    modes: Object.fromEntries(Object.entries(summary.modes).map(([id, m]) => [id, strip(m)])),
    profiling: strip(summary.profiling),
  };
}

/** The curve as numbers only (the JSON's `numbers` holds nothing else): one entry per point. */
function curveNumbers(summary: ReturnType<typeof summarizeRoute>) {
  return Object.fromEntries(
    summary.curve.map((p) => [
      `sampling${p.samplingPct}_logs_${p.requestLog === 'all' ? 'all' : 'errorsAndSlow'}`,
      {
        samplingPct: p.samplingPct,
        reqPerSec: p.reqPerSec,
        keptPct: p.keptPct,
        apiCpuUsPerReq: p.apiCpuUsPerReq,
        telemetryCpuUsPerReq: p.telemetryCpuUsPerReq,
      },
    ]),
  );
}

/** The curve is reported apart (`numbers.curve`): its points carry labels, not numbers. */
function withoutCurve<T extends { curve: unknown }>(summary: T): Omit<T, 'curve'> {
  const rest: Partial<T> = { ...summary };
  delete rest.curve;
  return rest as Omit<T, 'curve'>;
}
