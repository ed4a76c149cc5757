/**
 * The load generator: `npm run load -- --rate 20 --duration 60s --scenario mixed` or the compose
 * `loadgen` service. Exit codes: 0 thresholds met, 1 a threshold broken, 2 usage error, 3 the run
 * aborted (api unreachable, a fault could not be set, e.g. the admin endpoint answered 401).
 */
import { Writable } from 'node:stream';
import { loadgenEnv } from '../config/loadgen-env.ts';
import { createLogger } from '../infra/logger.ts';
import { redactUrl, redactUrlsInText } from '../infra/redact-url.ts';
import { startProgress } from '../loadgen/progress.ts';
import { runLoad } from '../loadgen/runner.ts';
import { LoadStats } from '../loadgen/stats.ts';
import { exitCodeOf, summaryJson, summaryTable, type RunOutcome } from '../loadgen/summary.ts';
import { violations } from '../loadgen/thresholds.ts';
import { parseCommandLine } from './usage.ts';
import { loadCommand } from './commands.ts';
import { exitAfterFlush } from '../telemetry/flush.ts';

const env = loadgenEnv();
const options = parseCommandLine(loadCommand);

// The loadgen's records go out over OTLP only (the logger emits every line as a record), so
// `{service_name="loadgen"}` finds its start, abort and summary in Loki. Its terminal keeps the
// human progress on stderr and the summary on stdout (JSON with --json), unmixed with log lines.
const logger = createLogger('loadgen', env.LOG_LEVEL ?? 'info', new Writable({ write: (_chunk, _encoding, done) => done() }));
const say = (message: string) => {
  process.stderr.write(`loadgen: ${message}\n`);
  logger.info({ detail: message }, 'loadgen_event');
};

const stats = new LoadStats();
const abort = new AbortController();
// Ctrl-C stops firing, waits for requests in flight, switches faults off and still prints the summary.
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());
logger.info(
  {
    scenario: options.scenario,
    target: redactUrl(options.target),
    rate: options.rate,
    duration_ms: options.durationMs,
    users: options.users,
    tenants: options.tenants,
  },
  'loadgen_started',
);
const stopProgress = options.json ? () => {} : startProgress(() => stats.snapshot(), options.durationMs);
let abortReason: string | undefined;
try {
  await runLoad(options, stats, abort.signal, say);
} catch (error) {
  // The reason can quote the target URL, user:password@ included: the terminal and the summary get it redacted.
  abortReason = redactUrlsInText((error as Error).message);
} finally {
  stopProgress();
}
const snapshot = stats.snapshot();
const outcome: RunOutcome = { abortReason, broken: abortReason === undefined ? violations(snapshot, options) : [] };
if (abortReason !== undefined) {
  process.stderr.write(`loadgen: ABORTED: ${abortReason}\n`);
  logger.error(
    { scenario: options.scenario, reason: abortReason, requests: snapshot.completed, errors: snapshot.errors },
    'loadgen_aborted',
  );
} else {
  logger[outcome.broken.length > 0 ? 'warn' : 'info'](
    {
      scenario: options.scenario,
      requests: snapshot.completed,
      errors: snapshot.errors,
      error_rate: snapshot.errorRate,
      achieved_rate: Number(snapshot.throughput.toFixed(2)),
      p95_ms: snapshot.p95Ms,
      p99_ms: snapshot.p99Ms,
      dropped: snapshot.dropped,
      thresholds_passed: outcome.broken.length === 0,
      violations: outcome.broken,
    },
    'loadgen_summary',
  );
}
process.stdout.write(`${options.json ? summaryJson(snapshot, options, outcome) : summaryTable(snapshot, options, outcome)}\n`);
await exitAfterFlush(exitCodeOf(outcome));
