import { loadPaymentsConfig } from '../config/service-config.ts';
import { GatewaySimulator } from '../domain/gateway-simulator.ts';
import { createPaymentsApp } from '../http/payments-app.ts';
import { createLogger } from '../infra/logger.ts';
import { configOrExit } from '../config/config-or-exit.ts';
import { serviceCommand } from '../cli/service-command.ts';
import { parseCommandLine } from '../cli/usage.ts';
import { handleShutdown } from './lifecycle.ts';
import { handleProcessErrors } from './process-errors.ts';
import { listen } from './serve.ts';
import { startProfiling } from './start-profiling.ts';

parseCommandLine(serviceCommand('payments'));
const config = configOrExit('payments', () => loadPaymentsConfig());
const logger = createLogger('payments', config.LOG_LEVEL);
startProfiling('payments', config, logger);
handleProcessErrors(logger);
const simulator = new GatewaySimulator({
  latencyMs: config.PAYMENTS_LATENCY_MS,
  failureRate: config.PAYMENTS_FAILURE_RATE,
  declineRate: config.PAYMENTS_DECLINE_RATE,
});
const app = createPaymentsApp({
  logger,
  checks: [],
  dependencyTimeoutMs: 1_000,
  bodyLimitBytes: config.BODY_LIMIT_BYTES,
  requestLog: { mode: config.REQUEST_LOG, slowMs: config.REQUEST_LOG_SLOW_MS },
  simulator,
  adminToken: config.ADMIN_TOKEN,
  heapSnapshots: config.HEAP_SNAPSHOT_ENABLED,
});
const server = await listen(app, config.PORT, config.HOST);
handleShutdown({ server, close: [], timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, logger);
logger.info(
  { port: config.PORT, settings: simulator.current(), admin_endpoints: config.ADMIN_TOKEN === undefined ? 'off' : 'on' },
  'payments_started',
);
