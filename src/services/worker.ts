import { loadWorkerConfig } from '../config/service-config.ts';
import { createLogger } from '../infra/logger.ts';
import { composeWorker } from './compose-worker.ts';
import { configOrExit } from '../config/config-or-exit.ts';
import { handleShutdown } from './lifecycle.ts';
import { handleProcessErrors } from './process-errors.ts';
import { listen } from './serve.ts';
import { startProfiling } from './start-profiling.ts';

const config = configOrExit('worker', () => loadWorkerConfig());
const logger = createLogger('worker', config.LOG_LEVEL);
startProfiling('worker', config, logger);
handleProcessErrors(logger);
const worker = await composeWorker(config, logger);
await worker.consumer.start();
const server = await listen(worker.app, config.PORT, config.HOST);
handleShutdown({ server, close: [worker.close], timeoutMs: config.SHUTDOWN_TIMEOUT_MS }, logger);
logger.info({ port: config.PORT }, 'worker_started');
