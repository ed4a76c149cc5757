import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePorts } from '../helpers/ports.ts';
import { PyroscopeReceiver } from '../helpers/pyroscope-receiver.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { call, newSession } from '../helpers/shop-client.ts';

// Distinct, searchable secrets, one per way a secret enters a process.
const ARGV_SECRET = 'argv-secret-7Qx2Lk';
const ADMIN_TOKEN = 'env-admin-token-9Zr4Tp';
const ENV_SECRET = 'env-unread-secret-3Mv8Wd';
const DB_PASSWORD = 'db-url-password-5Hn1Cs';
const USER_PASSWORD = 'request-password-6Ky3Bf';
const CARD_NUMBER = '4000056655665556';
// Credentials in every URL a process is given and logs: Redis, Pyroscope, the loadgen's target.
const REDIS_PASSWORD = 'redis-url-password-2Jd7Qe';
const PROFILING_PASSWORD = 'pyroscope-url-password-8Tc5Rv';
const TARGET_PASSWORD = 'loadgen-target-password-4Wx9Pa';

/** `url` with `user:password@` in it. */
const withCredentials = (url: string, username: string, password: string) => {
  const parsed = new URL(url);
  parsed.username = username;
  parsed.password = password;
  return parsed.toString().replace(/\/$/, '');
};

// scripts/backends.sh runs Postgres with trust authentication on loopback, so the server accepts any
// password and a secret one in DATABASE_URL shows whether a connection string leaks.
const databaseUrl = (() => {
  const url = new URL(TEST_DATABASE_URL);
  url.password = DB_PASSWORD;
  return url.toString();
})();
// Redis 7's default user has `nopass`: it accepts AUTH default <any password>, so a secret one shows
// whether REDIS_URL leaks, as DATABASE_URL's does above.
const redisUrl = withCredentials(TEST_REDIS_URL, 'default', REDIS_PASSWORD);

const started: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
});

describe('no secret from argv, env or a request reaches the OTLP endpoint', () => {
  it('api, payments, worker and loadgen started with the real bootstrap export none of them, in any signal', async () => {
    const receiver = new OtlpJsonReceiver();
    const endpoint = await receiver.start();
    const pyroscope = new PyroscopeReceiver();
    const profilingUrl = withCredentials(await pyroscope.start(), 'pyro', PROFILING_PASSWORD);
    const env = {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_METRIC_EXPORT_INTERVAL: '1000',
      ADMIN_TOKEN,
      PAYMENTS_API_SECRET: ENV_SECRET,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
    };
    // The services ignore their arguments, which is how a secret there goes unnoticed.
    const argv = ['--admin-token', ARGV_SECRET, `--password=${ARGV_SECRET}`];
    const start = (name: string, extra: NodeJS.ProcessEnv, args = argv) => {
      const service = new ServiceProcess(name, { ...env, ...extra }).start(args);
      started.push(service);
      return service;
    };
    // payments profiles itself to a Pyroscope URL with basic auth in it (logged at start, pushed at stop).
    const ports = await freePorts('api', 'payments', 'worker');
    const apiUrl = `http://127.0.0.1:${ports.api}`;
    const paymentsUrl = `http://127.0.0.1:${ports.payments}`;
    const workerUrl = `http://127.0.0.1:${ports.worker}`;
    const payments = start('payments', {
      PORT: String(ports.payments),
      PAYMENTS_DECLINE_RATE: '0',
      PROFILING_ENABLED: 'true',
      PROFILING_SERVER_URL: profilingUrl,
    });
    const api = start('api', { PORT: String(ports.api), PAYMENTS_URL: paymentsUrl });
    const worker = start('worker', { PORT: String(ports.worker) });
    await Promise.all([
      waitForHttp(`${paymentsUrl}/health/ready`, payments),
      waitForHttp(`${apiUrl}/health/ready`, api),
      waitForHttp(`${workerUrl}/health/ready`, worker),
    ]);

    const session = await newSession(apiUrl, USER_PASSWORD);
    await call(apiUrl, 'POST', '/api/sessions', { body: { email: session.email, password: `${USER_PASSWORD}-wrong` } });
    const order = await call(apiUrl, 'POST', '/api/orders', {
      token: session.token,
      headers: { cookie: `sid=${session.token}` },
      body: { items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: { card_number: CARD_NUMBER, expiry: '01/31', cvc: '987' } },
    });
    expect(order.status).toBe(201);

    // The loadgen exits by itself after its run and flushes its telemetry first.
    // Its parser rejects unknown flags, so only the real one: `npm run load -- --admin-token T`.
    const target = withCredentials(apiUrl, 'loadgen', TARGET_PASSWORD);
    const loadgenArgs = ['--target', target, '--rate', '5', '--duration', '1s', '--users', '1', '--json', '--admin-token', ARGV_SECRET];
    const loadgen = start('loadgen', {}, loadgenArgs);
    // Its exit code (thresholds, aborts) is not the subject here; that it ran and exported is.
    expect(await loadgen.waitForExit(30_000), loadgen.output.join('\n')).not.toBeNull();
    expect(await worker.stop()).toBe(0);
    expect(await api.stop()).toBe(0);
    expect(await payments.stop()).toBe(0);
    await receiver.close();
    await pyroscope.close();
    expect(loadgen.output.join('\n')).not.toContain(TARGET_PASSWORD);

    // Every entry point exported something, so "no secret" is not "no data".
    const services = new Set(receiver.resources().map((r: any) => r['service.name']?.stringValue));
    expect([...services].sort()).toEqual(['api', 'loadgen', 'payments', 'worker']);
    expect(receiver.spans().length).toBeGreaterThan(10);
    expect(receiver.logRecords().length).toBeGreaterThan(5);
    expect(receiver.metricNames().length).toBeGreaterThan(10);
    // The process detector still describes the process, minus its arguments.
    for (const resource of receiver.resources()) {
      expect(resource['process.pid']).toBeDefined();
      expect(resource).not.toHaveProperty('process.command_args');
      expect(resource).not.toHaveProperty('process.command_line');
    }

    const received = Buffer.concat(receiver.raw).toString();
    const secrets = {
      ARGV_SECRET,
      ADMIN_TOKEN,
      ENV_SECRET,
      DB_PASSWORD,
      REDIS_PASSWORD,
      PROFILING_PASSWORD,
      TARGET_PASSWORD,
      USER_PASSWORD,
      CARD_NUMBER,
      bearer: session.token,
    };
    const leaked = Object.entries(secrets).filter(([, secret]) => received.includes(secret));
    // The records that carry those URLs were exported, with the credentials redacted and the rest kept.
    expect(received).toContain('profiling_started');
    expect(received).toContain('loadgen_started');
    expect(received).toContain('http://[REDACTED]@127.0.0.1:');
    expect(leaked.map(([name]) => name)).toEqual([]);
    // The URL with credentials still works: its user and password became the push's basic auth.
    expect(pyroscope.pushes.length).toBeGreaterThan(0);
  });
});
