/**
 * The load generator: `npm run load -- --rate 20 --duration 60s --scenario mixed` or the compose
 * `loadgen` service. Exit codes: 0 thresholds met, 1 a threshold broken, 2 usage error, 3 the run
 * could not start (api unreachable, fault could not be set).
 */
import { loadgenEnv } from '../config/loadgen-env.ts';
import { parseLoadArgs, USAGE, UsageError, type LoadOptions } from '../loadgen/args.ts';
import { startProgress } from '../loadgen/progress.ts';
import { runLoad } from '../loadgen/runner.ts';
import { LoadStats } from '../loadgen/stats.ts';
import { summaryJson, summaryTable } from '../loadgen/summary.ts';
import { violations } from '../loadgen/thresholds.ts';
import { exitAfterFlush } from './lifecycle.ts';

let options: LoadOptions;
try {
  options = parseLoadArgs(process.argv.slice(2), loadgenEnv());
} catch (error) {
  if (!(error instanceof UsageError)) throw error;
  process.stderr.write(`loadgen: ${error.message}\n\n${USAGE}\n`);
  process.exit(2);
}
if (options.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const stats = new LoadStats();
const abort = new AbortController();
// Ctrl-C stops firing, waits for requests in flight, switches faults off and still prints the summary.
process.once('SIGINT', () => abort.abort());
process.once('SIGTERM', () => abort.abort());
const stopProgress = options.json ? () => {} : startProgress(() => stats.snapshot(), options.durationMs);
let failed = false;
try {
  await runLoad(options, stats, abort.signal, (message) => process.stderr.write(`loadgen: ${message}\n`));
} catch (error) {
  failed = true;
  process.stderr.write(`loadgen: ${(error as Error).message}\n`);
} finally {
  stopProgress();
}
const snapshot = stats.snapshot();
const broken = violations(snapshot, options);
process.stdout.write(`${options.json ? summaryJson(snapshot, options, broken) : summaryTable(snapshot, options, broken)}\n`);
await exitAfterFlush(failed ? 3 : broken.length > 0 ? 1 : 0);
