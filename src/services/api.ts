import { loadApiConfig } from '../config/service-config.ts';
import { createLogger } from '../infra/logger.ts';
import { composeApi } from './compose-api.ts';
import { configOrExit } from '../config/config-or-exit.ts';
import { serviceCommand } from '../cli/service-command.ts';
import { parseCommandLine } from '../cli/usage.ts';
import { handleShutdown } from './lifecycle.ts';
import { handleProcessErrors } from './process-errors.ts';
import { listen } from './serve.ts';
import { startProfiling } from './start-profiling.ts';

parseCommandLine(serviceCommand('api'));
const config = configOrExit('api', () => loadApiConfig());
const logger = createLogger('api', config.LOG_LEVEL);
startProfiling('api', config, logger);
handleProcessErrors(logger);
const api = await composeApi(config, logger);
const server = await listen(api.app, config.PORT, config.HOST);
handleShutdown({ server, close: [api.close], timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, logger);
// Says whether /admin/faults is on (ADMIN_TOKEN set), never the token: a 404 there is then no mystery.
logger.info({ port: config.PORT, admin_endpoints: config.ADMIN_TOKEN === undefined ? 'off' : 'on' }, 'api_started');
