import type { OpenWindow, SaturationWindow, Window } from './overhead-load.ts';
import type { BenchRoute } from './overhead-routes.ts';
import { curveMarkdown, profilesMarkdown, targetsMarkdown } from './overhead-profiles.ts';
import { CURVE, MAIN_MODES, type MainModeId, type Mode, type ProfileModeId } from './overhead-services.ts';

export type ModeId = MainModeId;

export interface RouteResults {
  route: BenchRoute;
  /** The open-model rate: a share (`openShare`) of the slowest main mode's capacity, so every mode can serve it. */
  openRate: number;
  saturation: Record<Mode['id'], SaturationWindow[]>;
  /** The headline phase: the two profiles and no bootstrap only, short windows back to back. */
  paired: Record<ProfileModeId, SaturationWindow[]>;
  open: Record<MainModeId, OpenWindow[]>;
}

export interface OverheadSettings {
  rounds: number;
  connections: number;
  warmupSeconds: number;
  saturationSeconds: number;
  openSeconds: number;
  openConnections: number;
  maxInFlight: number;
  /** Saturation window of the cost curve's extra modes (shorter: only kept % and CPU per request). */
  curveSeconds: number;
  /** The headline phase (profiles vs no bootstrap): rounds and window. */
  pairedRounds: number;
  pairedSeconds: number;
  /** The open-model rate as a share of the slowest main mode's saturation throughput. */
  openShare: number;
}

/**
 * The targets: the production profile keeps ≥ 80% of the no-bootstrap throughput on the cache hit and
 * ≥ 95% on checkout; below saturation (a fixed rate every mode serves) p99 added ≤ 2 ms at 100%
 * sampling and ≤ 1 ms with the production profile.
 */
export const TARGETS = {
  productionCacheHitKeptPct: 80,
  productionCheckoutKeptPct: 95,
  addedP99Ms: 2,
  productionAddedP99Ms: 1,
};

export const median = (xs: number[]): number => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const micros = (cpuSeconds: number, requests: number) => (cpuSeconds / requests) * 1e6;

function summarizeMode(results: RouteResults, mode: ModeId) {
  const saturation = results.saturation[mode];
  const open = results.open[mode];
  const sent = sum(open.map((w) => w.sent));
  const dropped = sum(open.map((w) => w.dropped));
  return {
    reqPerSec: median(saturation.map((w) => w.reqPerSec)),
    saturationApiCpuUsPerReq: median(saturation.map((w) => micros(w.apiCpuSeconds, w.completed))),
    saturationPaymentsCpuUsPerReq: median(saturation.map((w) => micros(w.paymentsCpuSeconds, w.completed))),
    saturationCollectorCpuUsPerReq: median(saturation.map((w) => micros(w.collectorCpuSeconds, w.completed))),
    saturationErrors: sum(saturation.map((w) => w.errors)),
    p50Ms: median(open.map((w) => w.p50Ms)),
    p99Ms: median(open.map((w) => w.p99Ms)),
    p99MinMs: Math.min(...open.map((w) => w.p99Ms)),
    p99MaxMs: Math.max(...open.map((w) => w.p99Ms)),
    apiCpuUsPerReq: median(open.map((w) => micros(w.apiCpuSeconds, w.completed))),
    paymentsCpuUsPerReq: median(open.map((w) => micros(w.paymentsCpuSeconds, w.completed))),
    openErrors: sum(open.map((w) => w.errors)),
    dropped,
    droppedPct: sent === 0 ? 0 : (dropped / sent) * 100,
  };
}

/**
 * Round r of every mode ran within the same minutes (windows are pushed in round order), so each
 * comparison with no bootstrap is made within a round, then the median over the rounds is taken: a
 * load swing of the shared machine between rounds moves both sides of a pair instead of one.
 */
function perRound<W>(modeWindows: W[], bareWindows: W[], compare: (mode: W, bare: W) => number): number[] {
  const rounds = Math.min(modeWindows.length, bareWindows.length);
  return Array.from({ length: rounds }, (_, r) => compare(modeWindows[r]!, bareWindows[r]!));
}
const keptRatio = (mode: SaturationWindow, bare: SaturationWindow) => (mode.reqPerSec / bare.reqPerSec) * 100;
const apiCpuDifference = (mode: Window, bare: Window) =>
  micros(mode.apiCpuSeconds, mode.completed) - micros(bare.apiCpuSeconds, bare.completed);
const paymentsCpuDifference = (mode: Window, bare: Window) =>
  micros(mode.paymentsCpuSeconds, mode.completed) - micros(bare.paymentsCpuSeconds, bare.completed);

/** The headline of one profile from the phase that measures only the profiles and no bootstrap, back to back. */
function headline(results: RouteResults, mode: Exclude<ProfileModeId, 'bare'>) {
  const kept = perRound(results.paired[mode], results.paired.bare, keptRatio);
  return {
    keptPct: median(kept),
    keptMinPct: Math.min(...kept),
    keptMaxPct: Math.max(...kept),
    rounds: kept.length,
    telemetryCpuUsPerReq: median(perRound(results.paired[mode], results.paired.bare, apiCpuDifference)),
    telemetryPaymentsCpuUsPerReq: median(perRound(results.paired[mode], results.paired.bare, paymentsCpuDifference)),
    collectorCpuUsPerReq: median(results.paired[mode].map((w) => micros(w.collectorCpuSeconds, w.completed))),
  };
}

export function summarizeRoute(results: RouteResults) {
  const modes = Object.fromEntries(MAIN_MODES.map((m) => [m.id, summarizeMode(results, m.id as ModeId)])) as Record<
    ModeId,
    ReturnType<typeof summarizeMode>
  >;
  const kept = (mode: Mode['id']) => median(perRound(results.saturation[mode], results.saturation.bare, keptRatio));
  /** Below saturation, mode − no bootstrap within each round of the open model, median over rounds. */
  const openAdded = (pick: (w: OpenWindow) => number, mode: ModeId) =>
    perRound(results.open[mode], results.open.bare, (m, b) => pick(m) - pick(b));
  const p99Added = (mode: ModeId) => {
    const differences = openAdded((w) => w.p99Ms, mode);
    return { addedP99Ms: median(differences), addedP99MinMs: Math.min(...differences), addedP99MaxMs: Math.max(...differences) };
  };
  const belowSaturation = (mode: ModeId) => ({
    addedP50Ms: median(openAdded((w) => w.p50Ms, mode)),
    ...p99Added(mode),
    belowSaturationTelemetryCpuUsPerReq: median(perRound(results.open[mode], results.open.bare, apiCpuDifference)),
    belowSaturationTelemetryPaymentsCpuUsPerReq: median(perRound(results.open[mode], results.open.bare, paymentsCpuDifference)),
  });
  /** Each point of the cost curve, from its mode's saturation windows against no bootstrap's of the same round. */
  const curve = CURVE.map((point) => {
    const windows = results.saturation[point.mode];
    return {
      ...point,
      reqPerSec: median(windows.map((w) => w.reqPerSec)),
      keptPct: kept(point.mode),
      apiCpuUsPerReq: median(windows.map((w) => micros(w.apiCpuSeconds, w.completed))),
      telemetryCpuUsPerReq: median(perRound(windows, results.saturation.bare, apiCpuDifference)),
      telemetryPaymentsCpuUsPerReq: median(perRound(windows, results.saturation.bare, paymentsCpuDifference)),
    };
  });
  /** What continuous profiling adds on top of telemetry: profiled − on, within each round. */
  const byProfiling = (pick: (w: Window) => number, windows: 'saturation' | 'open') =>
    median(perRound<Window>(results[windows].profiled, results[windows].on, (p, on) => pick(p) - pick(on)));
  const on = headline(results, 'on');
  return {
    openRate: results.openRate,
    curve,
    production: { ...headline(results, 'production'), ...belowSaturation('production') },
    modes: Object.fromEntries(MAIN_MODES.map((m) => [m.id, { ...modes[m.id as ModeId], keptPct: kept(m.id) }])) as Record<
      ModeId,
      ReturnType<typeof summarizeMode> & { keptPct: number }
    >,
    keptPct: on.keptPct,
    keptMinPct: on.keptMinPct,
    keptMaxPct: on.keptMaxPct,
    pairedRounds: on.rounds,
    // The headline phase's CPU per request at saturation: every mode runs flat out (the steadiest figure).
    telemetryCpuUsPerReq: on.telemetryCpuUsPerReq,
    telemetryPaymentsCpuUsPerReq: on.telemetryPaymentsCpuUsPerReq,
    collectorCpuUsPerReq: on.collectorCpuUsPerReq,
    ...belowSaturation('on'),
    profiling: {
      /** Throughput with profiling as a share of telemetry on without it, within each round. */
      keptOfTelemetryOnPct: median(perRound(results.saturation.profiled, results.saturation.on, keptRatio)),
      addedP50Ms: byProfiling((w) => (w as OpenWindow).p50Ms, 'open'),
      addedP99Ms: byProfiling((w) => (w as OpenWindow).p99Ms, 'open'),
      cpuUsPerReq: byProfiling((w) => micros(w.apiCpuSeconds, w.completed), 'saturation'),
      paymentsCpuUsPerReq: byProfiling((w) => micros(w.paymentsCpuSeconds, w.completed), 'saturation'),
      belowSaturationCpuUsPerReq: byProfiling((w) => micros(w.apiCpuSeconds, w.completed), 'open'),
      belowSaturationPaymentsCpuUsPerReq: byProfiling((w) => micros(w.paymentsCpuSeconds, w.completed), 'open'),
    },
  };
}

export type RouteSummary = ReturnType<typeof summarizeRoute>;

const f0 = (x: number) => x.toFixed(0);
const f2 = (x: number) => x.toFixed(2);
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const modeLabel = (id: ModeId) => MAIN_MODES.find((m) => m.id === id)!.label;
const MAIN = MAIN_MODES as ReadonlyArray<Mode & { id: ModeId }>;

export interface ProfilingFacts {
  profiles: { pushes: number; bytes: number };
  peakRssMiB: Record<ModeId, { api: number; payments: number }>;
}

export function overheadMarkdown(
  settings: OverheadSettings,
  routes: Array<{ route: BenchRoute; summary: RouteSummary }>,
  cacheHitAndCheckout: Parameters<typeof targetsMarkdown>[0],
  profiling: ProfilingFacts,
): string {
  const payments = (route: BenchRoute, text: string) => (route.id === 'checkout' ? text : '–');
  const lines: string[] = [...profilesMarkdown(routes), ...curveMarkdown(routes, settings.curveSeconds), ''];
  lines.push(
    `${MAIN.length} main modes side by side (the curve's extra modes are in the curve table only), ${settings.rounds} round(s), the order of the modes rotated each round; ` +
      'req/s and CPU are medians over the rounds; kept % and added figures compare each mode with no bootstrap within a round, then take the median. ' +
      'One api and one payments process per mode, started once; a real Collector receives the OTLP of every mode with the bootstrap.',
    '',
    `**Throughput at saturation** (autocannon, ${settings.connections} connections, ${settings.saturationSeconds} s after ${settings.warmupSeconds} s warm-up). ` +
      "CPU = the process's user + system time over the window ÷ requests served; added = telemetry on − no bootstrap.",
    '',
    '| route | mode | req/s | kept (vs no bootstrap) | api CPU µs/req | payments CPU µs/req | Collector CPU µs/req | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { route, summary } of routes) {
    for (const mode of MAIN) {
      const m = summary.modes[mode.id];
      lines.push(
        `| ${route.title} | ${modeLabel(mode.id)} | ${f0(m.reqPerSec)} | ${f0(m.keptPct)}% | ${f0(m.saturationApiCpuUsPerReq)} | ${payments(route, f0(m.saturationPaymentsCpuUsPerReq))} | ${f0(m.saturationCollectorCpuUsPerReq)} | ${m.saturationErrors} |`,
      );
    }
    lines.push(
      `| ${route.title} | **added by telemetry** | | | ${signed(summary.telemetryCpuUsPerReq, 0)} | ${payments(route, signed(summary.telemetryPaymentsCpuUsPerReq, 0))} | | |`,
    );
  }
  lines.push(
    '',
    `**Below saturation** (open model: arrivals at a fixed rate, ${(settings.openShare * 100).toFixed(0)}% of the saturation throughput of the slowest mode above, so that every mode can serve it and the shared cores keep headroom, whatever the responses do; ` +
      `${settings.openSeconds} s after ${settings.warmupSeconds} s warm-up; beyond ${settings.maxInFlight} requests in flight an arrival is dropped and counted). ` +
      'p99 also as min–max over the rounds: the spread is the noise of the shared machine; "added" is the median over the rounds of mode − no bootstrap within the round (its min–max beside it).',
    '',
    '| route | offered req/s | mode | p50 ms | p99 ms (min–max) | api CPU µs/req | payments CPU µs/req | dropped | errors |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { route, summary } of routes) {
    for (const mode of MAIN) {
      const m = summary.modes[mode.id];
      const dropped = m.dropped === 0 ? '0' : `${m.dropped} (${m.droppedPct.toFixed(1)}%)`;
      lines.push(
        `| ${route.title} | ${f0(summary.openRate)} | ${modeLabel(mode.id)} | ${f2(m.p50Ms)} | ${f2(m.p99Ms)} (${f2(m.p99MinMs)}–${f2(m.p99MaxMs)}) | ${f0(m.apiCpuUsPerReq)} | ${payments(route, f0(m.paymentsCpuUsPerReq))} | ${dropped} | ${m.openErrors} |`,
      );
    }
    lines.push(
      `| ${route.title} | | **added by telemetry** | ${signed(summary.addedP50Ms, 2)} | ${signed(summary.addedP99Ms, 2)} (${signed(summary.addedP99MinMs, 2)}…${signed(summary.addedP99MaxMs, 2)}) | ${signed(summary.belowSaturationTelemetryCpuUsPerReq, 0)} | ${payments(route, signed(summary.belowSaturationTelemetryPaymentsCpuUsPerReq, 0))} | | |`,
    );
  }
  const overloaded = routes.flatMap(({ route, summary }) =>
    MAIN.filter((m) => summary.modes[m.id].droppedPct >= 1).map((m) => `${route.title}, ${m.id}`),
  );
  if (overloaded.length > 0) {
    lines.push(
      '',
      `Overloaded (≥ 1% of arrivals dropped): ${overloaded.join('; ')}. That mode cannot serve the offered rate: its latencies are those of a full queue, ` +
        'and its CPU per request is that of a saturated process (cheaper per request than below saturation), so the differences above understate the cost.',
    );
  }
  lines.push(
    '',
    `**Continuous profiling** (profiled − telemetry on, same run; CPU and wall samples at 100 Hz with span labels, heap sampling, ` +
      `a push every 10 s: ${profiling.profiles.pushes} pushes, ${(profiling.profiles.bytes / 1024).toFixed(0)} KiB in all).`,
    '',
    '| route | throughput kept (vs telemetry on) | p50 added ms | p99 added ms | api CPU µs/req (saturation) | api CPU µs/req (below) | payments CPU µs/req (saturation) |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  );
  for (const { route, summary } of routes) {
    const p = summary.profiling;
    lines.push(
      `| ${route.title} | ${f0(p.keptOfTelemetryOnPct)}% | ${signed(p.addedP50Ms, 2)} | ${signed(p.addedP99Ms, 2)} | ${signed(p.cpuUsPerReq, 0)} | ${signed(p.belowSaturationCpuUsPerReq, 0)} | ${payments(route, signed(p.paymentsCpuUsPerReq, 0))} |`,
    );
  }
  lines.push('', '| mode | api peak RSS MiB | payments peak RSS MiB |', '| --- | --- | --- |');
  for (const mode of MAIN) {
    const rss = profiling.peakRssMiB[mode.id];
    lines.push(`| ${modeLabel(mode.id)} | ${rss.api.toFixed(0)} | ${rss.payments.toFixed(0)} |`);
  }
  lines.push(...targetsMarkdown(cacheHitAndCheckout));
  return lines.join('\n');
}
