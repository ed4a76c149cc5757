/**
 * Stack self-check for "I see no data": `npm run verify -- [--backends …] [--timeout 60s] [--json]`.
 * Sends one probe request to the api and reports per signal whether it reached Tempo, Loki and
 * Prometheus, plus Grafana provisioning, alert rules, Alertmanager and the Collector (docs/selfcheck.md).
 * Exit codes: 0 every checked signal arrived, 1 something is missing, 2 usage error.
 */
import { loadExpectedAlerts } from '../selfcheck/alert-names.ts';
import { parseCommandLine } from './usage.ts';
import { verifyCommand } from './commands.ts';
import { createHttpClient } from '../selfcheck/http-get.ts';
import { systemClock } from '../selfcheck/poll.ts';
import { exitCode, renderJson, renderTable } from '../selfcheck/report.ts';
import { runSelfCheck } from '../selfcheck/runner.ts';

const options = parseCommandLine(verifyCommand);

const client = createHttpClient();
const report = await runSelfCheck(options, loadExpectedAlerts(options.rulesDir), {
  get: client.get,
  clock: systemClock,
  log: (line) => process.stderr.write(`verify: ${line}\n`),
});
await client.close();
process.stdout.write(`${options.json ? renderJson(report) : renderTable(report)}\n`);
process.exitCode = exitCode(report.results);
