/**
 * `npm run dev`: api, payments and worker with `node --watch`, against Postgres and Redis on
 * 127.0.0.1 (scripts/backends.sh start) and a Collector on 127.0.0.1:4318 (OTLP HTTP) if one runs (the services
 * keep working without it). Output is prefixed per service; Ctrl-C stops all three.
 */
import { spawn } from 'node:child_process';

const local = {
  DATABASE_URL: 'postgres://otelkit:otelkit@127.0.0.1:5432/otelkit',
  REDIS_URL: 'redis://127.0.0.1:6379',
  PAYMENTS_URL: 'http://127.0.0.1:8081',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  HOST: '127.0.0.1',
};

const services = [
  { name: 'payments', port: '8081' },
  { name: 'api', port: '8080' },
  { name: 'worker', port: '8082' },
];

const children = services.map(({ name, port }) => {
  const child = spawn(process.execPath, ['--watch', '--import', './src/instrumentation.ts', `src/services/${name}.ts`], {
    env: { ...local, ...process.env, PORT: port, OTEL_SERVICE_NAME: name },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const prefix = `[${name}]`.padEnd(11);
  for (const stream of [child.stdout, child.stderr]) {
    stream.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) if (line) process.stdout.write(`${prefix}${line}\n`);
    });
  }
  return child;
});

const stop = () => {
  for (const child of children) child.kill('SIGTERM');
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
