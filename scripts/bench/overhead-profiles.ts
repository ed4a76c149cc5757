import type { BenchRoute } from './overhead-routes.ts';
import { TARGETS, type RouteSummary } from './overhead-report.ts';

/**
 * The lead tables of the overhead part: the two profiles side by side against no bootstrap, the
 * cost curve (sampling share × request logs), and the targets. Kept apart from overhead-report.ts
 * (the per-mode detail) so each file stays readable.
 */
const f0 = (x: number) => x.toFixed(0);
const signed = (x: number, digits: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x).toFixed(digits)}`;
const verdict = (ok: boolean) => (ok ? 'pass' : '**miss**');

/** What each profile keeps of the telemetry, for the reader of the table (the measurements say the cost). */
const KEEPS = {
  on: 'every trace leaves the service, a log line per request, all metrics; this is also what the service pays in the agent → gateway tail-sampled design (the gateway then keeps every error trace, every trace > 0.5 s and 10% of the rest)',
  production:
    '10% of traces, whole (parent-based); span metrics weighted by 1/p (`ot=th`); log lines of 5xx and slow requests; all metrics (RED, SLOs, alerts exact)',
};

type Routes = Array<{ route: BenchRoute; summary: RouteSummary }>;

const kept = (p: { keptPct: number; keptMinPct: number; keptMaxPct: number }) =>
  `${f0(p.keptPct)}% (${f0(p.keptMinPct)}–${f0(p.keptMaxPct)}%)`;
const p99 = (p: { addedP99Ms: number; addedP99MinMs: number; addedP99MaxMs: number }) =>
  `${signed(p.addedP99Ms, 2)} (${signed(p.addedP99MinMs, 2)}…${signed(p.addedP99MaxMs, 2)})`;

export function profilesMarkdown(routes: Routes): string[] {
  const lines = [
    '**The two profiles side by side** (throughput at saturation against no bootstrap and CPU added per request, from the headline phase: ' +
      `the two profiles and no bootstrap only, ${routes[0]?.summary.pairedRounds ?? 0} rounds of short windows back to back, each round's ratio then the median, min–max in brackets; ` +
      'p99 added below saturation, at the fixed rate of the open-model table, median of the per-round differences, min–max in brackets).',
    '',
    '| route | profile | kept (min–max) | api CPU µs/req added | payments CPU µs/req added | Collector CPU µs/req (same machine) | p99 added ms (min…max) | what is kept |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const { route, summary } of routes) {
    const payments = (x: number) => (route.id === 'checkout' ? signed(x, 0) : '–');
    lines.push(
      `| ${route.title} | 100% (demo default) | ${kept(summary)} | ${signed(summary.telemetryCpuUsPerReq, 0)} | ${payments(summary.telemetryPaymentsCpuUsPerReq)} | ${f0(summary.collectorCpuUsPerReq)} | ${p99(summary)} | ${KEEPS.on} |`,
      `| ${route.title} | production | ${kept(summary.production)} | ${signed(summary.production.telemetryCpuUsPerReq, 0)} | ${payments(summary.production.telemetryPaymentsCpuUsPerReq)} | ${f0(summary.production.collectorCpuUsPerReq)} | ${p99(summary.production)} | ${KEEPS.production} |`,
    );
  }
  return lines;
}

export function curveMarkdown(routes: Routes, curveSeconds: number): string[] {
  const lines = [
    '',
    `**Cost curve** (saturation, ${curveSeconds} s windows for the extra points; kept = req/s ÷ no bootstrap's in the same round, median over the rounds; telemetry µs = api CPU per request − no bootstrap's, likewise). ` +
      '"errors-and-slow" = `REQUEST_LOG=errors-and-slow` (no `request_completed` line for a fast 2xx/4xx, on stdout or OTLP); the no-bootstrap baseline logs every request.',
    '',
    `| sampling | request logs | ${routes.map(({ route }) => `${route.title}: kept | telemetry µs/req`).join(' | ')} |`,
    `| --- | --- | ${routes.map(() => '--- | ---').join(' | ')} |`,
  ];
  const points = routes[0]?.summary.curve ?? [];
  points.forEach((point, i) => {
    const cells = routes.map(({ summary }) => {
      const p = summary.curve[i]!;
      return `${f0(p.keptPct)}% | ${signed(p.telemetryCpuUsPerReq, 0)}`;
    });
    lines.push(`| ${point.samplingPct}% | ${point.requestLog} | ${cells.join(' | ')} |`);
  });
  return lines;
}

export function targetRows(summaries: { cacheHit: RouteSummary; checkout: RouteSummary }) {
  const { cacheHit, checkout } = summaries;
  const p99 = (route: string, summary: RouteSummary, which: 'on' | 'production') => {
    const measured = which === 'on' ? summary.addedP99Ms : summary.production.addedP99Ms;
    const target = which === 'on' ? TARGETS.addedP99Ms : TARGETS.productionAddedP99Ms;
    return {
      target: `${route} p99 added ≤ ${target} ms, ${which === 'on' ? '100% sampling' : 'production profile'} (fixed open-model rate)`,
      measured: `${signed(measured, 2)} ms`,
      ok: measured <= target,
    };
  };
  return [
    {
      target: `production profile: cache-hit throughput kept ≥ ${TARGETS.productionCacheHitKeptPct}%`,
      measured: `${f0(cacheHit.production.keptPct)}%`,
      ok: cacheHit.production.keptPct >= TARGETS.productionCacheHitKeptPct,
    },
    {
      target: `production profile: checkout throughput kept ≥ ${TARGETS.productionCheckoutKeptPct}%`,
      measured: `${f0(checkout.production.keptPct)}%`,
      ok: checkout.production.keptPct >= TARGETS.productionCheckoutKeptPct,
    },
    p99('cache-hit', cacheHit, 'on'),
    p99('checkout', checkout, 'on'),
    p99('cache-hit', cacheHit, 'production'),
    p99('checkout', checkout, 'production'),
  ];
}

export function targetsMarkdown(summaries: Parameters<typeof targetRows>[0]): string[] {
  const lines = ['', '**Targets**', '', '| target | measured | |', '| --- | --- | --- |'];
  for (const row of targetRows(summaries)) lines.push(`| ${row.target} | ${row.measured} | ${verdict(row.ok)} |`);
  return lines;
}
