import { TEST_DATABASE_URL, TEST_REDIS_URL } from './backends.ts';
import { freePorts } from './ports.ts';
import { ServiceProcess, waitForHttp } from './service-process.ts';

/** An api and the payments service it calls, both ready, on ports the OS assigned. */
export interface ShopPair {
  api: ServiceProcess;
  payments: ServiceProcess;
  apiUrl: string;
  paymentsUrl: string;
}

/**
 * Starts payments (always approving, 5 ms per charge) and an api calling it, with `otel` as their
 * telemetry settings; the api's Postgres and Redis default to the test backends (a test that cuts
 * them passes its proxies' URLs). Resolves when both answer /health/ready.
 */
export async function startShopPair(
  otel: NodeJS.ProcessEnv,
  backends: { databaseUrl?: string; redisUrl?: string } = {},
): Promise<ShopPair> {
  const ports = await freePorts('api', 'payments');
  const apiUrl = `http://127.0.0.1:${ports.api}`;
  const paymentsUrl = `http://127.0.0.1:${ports.payments}`;
  const payments = new ServiceProcess('payments', {
    ...otel,
    PORT: String(ports.payments),
    PAYMENTS_DECLINE_RATE: '0',
    PAYMENTS_LATENCY_MS: '5',
  }).start();
  const api = new ServiceProcess('api', {
    ...otel,
    PORT: String(ports.api),
    PAYMENTS_URL: paymentsUrl,
    DATABASE_URL: backends.databaseUrl ?? TEST_DATABASE_URL,
    REDIS_URL: backends.redisUrl ?? TEST_REDIS_URL,
  }).start();
  await Promise.all([waitForHttp(`${paymentsUrl}/health/ready`, payments), waitForHttp(`${apiUrl}/health/ready`, api)]);
  return { api, payments, apiUrl, paymentsUrl };
}
