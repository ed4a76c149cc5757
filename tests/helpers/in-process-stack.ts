import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { loadApiConfig, loadWorkerConfig } from '../../src/config/service-config.ts';
import { GatewaySimulator } from '../../src/domain/gateway-simulator.ts';
import { createPaymentsApp } from '../../src/http/payments-app.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { composeApi } from '../../src/services/compose-api.ts';
import { composeWorker } from '../../src/services/compose-worker.ts';
import { listen } from '../../src/services/serve.ts';
import { createClient } from 'redis';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from './backends.ts';

export const TEST_ADMIN_TOKEN = 'test-admin-token-0123456789';

/** JSON log lines written by the services under test, parsed. */
export class LogCapture extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: string, callback: () => void): void {
    for (const line of chunk.toString().split('\n')) if (line.trim()) this.lines.push(JSON.parse(line) as Record<string, unknown>);
    callback();
  }
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/**
 * api, payments and worker in this process, on ephemeral ports, against the real test Postgres and
 * Redis. Everything goes through real sockets, so the HTTP instrumentation sees every hop.
 */
export async function startInProcessStack(env: NodeJS.ProcessEnv = {}) {
  await flushTestRedis();
  const capture = new LogCapture();
  const simulator = new GatewaySimulator({ latencyMs: 5, failureRate: 0, declineRate: 0 });
  const payments = createPaymentsApp({
    logger: createLogger('payments', 'info', capture),
    checks: [],
    dependencyTimeoutMs: 1_000,
    bodyLimitBytes: 65_536,
    simulator,
    adminToken: TEST_ADMIN_TOKEN,
  });
  const paymentsServer = await listen(payments, 0, '127.0.0.1');
  const base = { DATABASE_URL: TEST_DATABASE_URL, REDIS_URL: TEST_REDIS_URL, ADMIN_TOKEN: TEST_ADMIN_TOKEN, STARTUP_RETRIES: '2' };
  const apiConfig = loadApiConfig({ ...base, PAYMENTS_URL: urlOf(paymentsServer), SLOW_QUERY_MS: '1000', ...env });
  const api = await composeApi(apiConfig, createLogger('api', 'info', capture));
  const apiServer = await listen(api.app, 0, '127.0.0.1');
  const worker = await composeWorker(
    loadWorkerConfig({ ...base, WORKER_BLOCK_MS: '200', ...env }),
    createLogger('worker', 'info', capture),
  );
  await worker.consumer.start();
  return {
    apiUrl: urlOf(apiServer),
    paymentsUrl: urlOf(paymentsServer),
    simulator,
    logs: capture,
    api,
    config: apiConfig,
    async close() {
      await new Promise((resolve) => apiServer.close(resolve));
      await new Promise((resolve) => paymentsServer.close(resolve));
      apiServer.closeAllConnections();
      paymentsServer.closeAllConnections();
      await worker.close();
      await api.close();
    },
  };
}

export type InProcessStack = Awaited<ReturnType<typeof startInProcessStack>>;

/** Each test file starts with an empty cache, so hit/miss expectations do not depend on file order. */
async function flushTestRedis(): Promise<void> {
  const redis = createClient({ url: TEST_REDIS_URL });
  await redis.connect();
  await redis.flushDb();
  await redis.close();
}
