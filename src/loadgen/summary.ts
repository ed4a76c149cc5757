import Table from 'cli-table3';
import type { LoadOptions } from './args.ts';
import type { Snapshot } from './stats.ts';
import { redactUrl } from '../infra/redact-url.ts';

/** How a run ended: aborted (with why), or ran to the end and broke these thresholds (none: passed). */
export interface RunOutcome {
  abortReason?: string;
  broken: string[];
}

/** Exit code of a run: 0 thresholds met, 1 a threshold broken, 3 the run aborted. */
export const exitCodeOf = (outcome: RunOutcome): number => (outcome.abortReason !== undefined ? 3 : outcome.broken.length > 0 ? 1 : 0);

// An aborted run's numbers cover the requests made before it stopped (e.g. only the sign-ins), so
// neither its rate nor its thresholds say anything about the target load.
const verdict = (outcome: RunOutcome): string =>
  outcome.abortReason !== undefined
    ? `not evaluated: the run ABORTED (${outcome.abortReason})`
    : outcome.broken.length === 0
      ? 'passed'
      : `FAILED: ${outcome.broken.join('; ')}`;

/** The final summary as a table (per action and overall) for people. */
export function summaryTable(snapshot: Snapshot, options: LoadOptions, outcome: RunOutcome): string {
  const style = { head: [], border: [] }; // no colours: summaries end up in CI logs and files
  const table = new Table({ head: ['action', 'requests', 'errors', 'p95 ms'], style });
  for (const [name, action] of Object.entries(snapshot.byAction)) table.push([name, action.count, action.errors, action.p95Ms.toFixed(1)]);
  table.push(['all', snapshot.completed, snapshot.errors, snapshot.p95Ms.toFixed(1)]);
  const totals = new Table({ style });
  const aborted = outcome.abortReason !== undefined;
  if (aborted) totals.push({ outcome: `ABORTED: ${outcome.abortReason}` });
  totals.push(
    { scenario: options.scenario },
    { 'target rate': `${options.rate} req/s for ${(options.durationMs / 1000).toFixed(0)} s` },
    { 'achieved rate': aborted ? 'n/a (aborted)' : `${snapshot.throughput.toFixed(1)} req/s` },
    {
      latency: `p50 ${snapshot.p50Ms.toFixed(1)} ms, p95 ${snapshot.p95Ms.toFixed(1)} ms, p99 ${snapshot.p99Ms.toFixed(1)} ms, max ${snapshot.maxMs.toFixed(1)} ms`,
    },
    { errors: `${snapshot.errors} (${(snapshot.errorRate * 100).toFixed(2)}%)` },
    { 'dropped arrivals': String(snapshot.dropped) },
    {
      'status codes': Object.entries(snapshot.byStatus)
        .map(([s, n]) => `${s}: ${n}`)
        .join(', '),
    },
    { thresholds: verdict(outcome) },
  );
  return `${totals.toString()}\n${table.toString()}`;
}

/** The same summary for machines (`--json`). */
export function summaryJson(snapshot: Snapshot, options: LoadOptions, outcome: RunOutcome): string {
  return JSON.stringify(
    {
      outcome: outcome.abortReason !== undefined ? 'aborted' : 'completed',
      abort_reason: outcome.abortReason ?? null,
      scenario: options.scenario,
      target: redactUrl(options.target),
      rate: options.rate,
      duration_ms: options.durationMs,
      achieved_rate: outcome.abortReason !== undefined ? null : Number(snapshot.throughput.toFixed(2)),
      requests: snapshot.completed,
      errors: snapshot.errors,
      error_rate: snapshot.errorRate,
      dropped: snapshot.dropped,
      latency_ms: { p50: snapshot.p50Ms, p95: snapshot.p95Ms, p99: snapshot.p99Ms, max: snapshot.maxMs },
      by_status: snapshot.byStatus,
      by_action: snapshot.byAction,
      thresholds: {
        evaluated: outcome.abortReason === undefined,
        passed: outcome.abortReason === undefined && outcome.broken.length === 0,
        violations: outcome.broken,
      },
    },
    null,
    2,
  );
}
