/**
 * What telemetry costs: requests/s and latency of GET /api/products (one Redis GET on a cache hit,
 * one pino line, the tenant and rate-limit middleware) with the full OpenTelemetry bootstrap
 * exporting to a real Collector, with OTEL_SDK_DISABLED=true, and without the bootstrap at all.
 * Modes are measured side by side in rotated rounds (the machine is shared: only ratios are
 * meaningful). Needs Postgres/Redis (scripts/backends.sh start) and scripts/build-tools.sh.
 *
 *   npm run bench -- [--duration 10] [--rounds 3] [--connections 50]
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';

const { values } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '50' },
  },
});
const duration = Number(values.duration);
const rounds = Number(values.rounds);
const connections = Number(values.connections);
const PORT = 18_480;
const root = new URL('..', import.meta.url).pathname;

const tools = Object.fromEntries(
  execFileSync(join(root, 'scripts/build-tools.sh'), ['--print-env'], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.split('=') as [string, string]),
);

type Mode = { name: string; args: string[]; env: Record<string, string> };
const MODES: Mode[] = [
  { name: 'telemetry on (OTLP gRPC → Collector)', args: ['--import', './src/instrumentation.ts'], env: {} },
  { name: 'OTEL_SDK_DISABLED=true', args: ['--import', './src/instrumentation.ts'], env: { OTEL_SDK_DISABLED: 'true' } },
  { name: 'no bootstrap (no --import)', args: [], env: {} },
];

async function waitFor(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} did not come up`);
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

async function measure(mode: Mode): Promise<{ rps: number; p50: number; p99: number; errors: number }> {
  const api = spawn(process.execPath, [...mode.args, 'src/services/api.ts'], {
    cwd: root,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(PORT),
      HOST: '127.0.0.1',
      DATABASE_URL: 'postgres://otelkit:otelkit@127.0.0.1:5432/otelkit',
      REDIS_URL: 'redis://127.0.0.1:6379',
      RATE_LIMIT_PER_MINUTE: '1000000000',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:14417',
      ...mode.env,
    },
  });
  try {
    await waitFor(`http://127.0.0.1:${PORT}/health/ready`);
    const url = `http://127.0.0.1:${PORT}/api/products`;
    const headers = { 'x-tenant-id': 'acme' };
    await autocannon({ url, headers, connections, duration: 2 }); // warm-up: JIT, cache, pools
    const result = await autocannon({ url, headers, connections, duration });
    return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.non2xx + result.errors };
  } finally {
    await stop(api);
  }
}

const sinkDir = mkdtempSync(join(tmpdir(), 'otelkit-bench-'));
const collector = spawn(tools.OTELCOL_BIN!, ['--config', join(root, 'tests/e2e/sink-collector.yaml')], {
  stdio: 'ignore',
  env: { ...process.env, SINK_DIR: sinkDir, SINK_GRPC_ENDPOINT: '127.0.0.1:14417', SINK_HTTP_ENDPOINT: '127.0.0.1:14418' },
});
const results = new Map<string, Array<{ rps: number; p50: number; p99: number; errors: number }>>();
try {
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  for (let round = 0; round < rounds; round++) {
    // Rotate the order so that no mode always runs first (or last) on a noisy machine.
    for (let i = 0; i < MODES.length; i++) {
      const mode = MODES[(i + round) % MODES.length]!;
      const result = await measure(mode);
      results.set(mode.name, [...(results.get(mode.name) ?? []), result]);
      console.log(
        `round ${round + 1} ${mode.name}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, errors ${result.errors}`,
      );
    }
  }
} finally {
  await stop(collector);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const baseline = median(results.get(MODES[2]!.name)!.map((r) => r.rps));
console.log(`\nGET /api/products, ${connections} connections, ${duration} s × ${rounds} rounds (median per mode)`);
console.log('| mode | req/s | p50 ms | p99 ms | vs no bootstrap |');
console.log('| --- | --- | --- | --- | --- |');
for (const mode of MODES) {
  const runs = results.get(mode.name)!;
  const rps = median(runs.map((r) => r.rps));
  console.log(
    `| ${mode.name} | ${rps.toFixed(0)} | ${median(runs.map((r) => r.p50))} | ${median(runs.map((r) => r.p99))} | ${((rps / baseline) * 100).toFixed(0)}% |`,
  );
}
