import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { statusKib } from './proc-stats.ts';
import { BenchProcess, MODES, startService, waitUntilReady, type Mode } from './overhead-services.ts';

/**
 * Everything the overhead part measures, started once for the whole part: one api and one payments
 * process per mode (each api calls the payments process of its own mode), all idle but the one under
 * load, and a real Collector (`otelcol-otelkit` with the test sink config, writing to files) that the
 * "on" processes export to. Fixed ports outside the ephemeral range, 127.0.0.1 only.
 */
const modeIndex = (id: Mode['id']) => MODES.findIndex((m) => m.id === id);
/** Two ports per mode from 18440 (11 modes: up to 18461). */
const API_PORT = (id: Mode['id']) => 18_440 + 2 * modeIndex(id);
const PAYMENTS_PORT = (id: Mode['id']) => 18_441 + 2 * modeIndex(id);
/** Stand-in for Pyroscope's /ingest API (Pyroscope itself is AGPL and runs in compose only): answers 200, counts. */
const PROFILES_SINK = { host: '127.0.0.1', port: 18_493 };
const COLLECTOR_GRPC = '127.0.0.1:18490';
const COLLECTOR_HTTP = '127.0.0.1:18491';
const COLLECTOR_HEALTH = '127.0.0.1:18492';

export interface ModeServices {
  mode: Mode;
  apiUrl: string;
  api: BenchProcess;
  payments: BenchProcess;
  /** The one Collector every mode with the bootstrap exports to (idle for no bootstrap). */
  collector: BenchProcess;
}

export interface OverheadStack {
  services: ModeServices[];
  collector: BenchProcess;
  /** Pushes (and bytes) the profiled mode's processes sent to the profiles sink so far. */
  profilePushes(): { pushes: number; bytes: number };
  /** Peak RSS (VmHWM) of each mode's api and payments processes so far, MiB. */
  peakRssMiB(): Record<Mode['id'], { api: number; payments: number }>;
  stop(): Promise<void>;
}

export interface StackSettings {
  root: string;
  otelcolBin: string;
  databaseUrl: string;
  redisUrl: string;
}

export async function startStack(settings: StackSettings): Promise<OverheadStack> {
  const sinkDir = mkdtempSync(join(tmpdir(), 'otelkit-bench-overhead-'));
  const started: BenchProcess[] = [];
  const received = { pushes: 0, bytes: 0 };
  const profilesSink = createServer((request, response) => {
    request.on('data', (chunk: Buffer) => (received.bytes += chunk.length));
    request.on('end', () => {
      if (request.url?.startsWith('/ingest')) received.pushes++;
      response.end();
    });
  });
  await new Promise<void>((resolve) => profilesSink.listen(PROFILES_SINK.port, PROFILES_SINK.host, resolve));
  const stop = async () => {
    await Promise.all(started.map((p) => p.stop()));
    await new Promise((resolve) => profilesSink.close(resolve));
    rmSync(sinkDir, { recursive: true, force: true });
  };
  try {
    const collector = new BenchProcess(
      'collector',
      settings.otelcolBin,
      [
        '--config',
        join(settings.root, 'tests/e2e/sink-collector.yaml'),
        // The services send OTLP/HTTP to the standard paths (the sink's defaults mimic Loki's and Prometheus's).
        '--config',
        'yaml:receivers::otlp::protocols::http::logs_url_path: /v1/logs',
        '--config',
        'yaml:receivers::otlp::protocols::http::metrics_url_path: /v1/metrics',
      ],
      {
        cwd: settings.root,
        env: {
          PATH: process.env.PATH ?? '',
          SINK_DIR: sinkDir,
          SINK_GRPC_ENDPOINT: COLLECTOR_GRPC,
          SINK_HTTP_ENDPOINT: COLLECTOR_HTTP,
          SINK_HEALTH_ENDPOINT: COLLECTOR_HEALTH,
        },
      },
    );
    started.push(collector);
    await waitUntilReady(`http://${COLLECTOR_HEALTH}/`, collector);

    const telemetryEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${COLLECTOR_HTTP}`,
      LOG_LEVEL: 'info',
      // Only the profiled mode switches profiling on (overhead-services.ts); it pushes here every 10 s.
      PROFILING_SERVER_URL: `http://${PROFILES_SINK.host}:${PROFILES_SINK.port}`,
    };
    const services = MODES.map((mode): ModeServices => {
      const payments = startService(settings.root, 'payments', mode, {
        ...telemetryEnv,
        PORT: String(PAYMENTS_PORT(mode.id)),
        // A gateway that answers at once and always approves: the route's own work, nothing simulated.
        PAYMENTS_LATENCY_MS: '0',
        PAYMENTS_FAILURE_RATE: '0',
        PAYMENTS_DECLINE_RATE: '0',
      });
      const api = startService(settings.root, 'api', mode, {
        ...telemetryEnv,
        PORT: String(API_PORT(mode.id)),
        DATABASE_URL: settings.databaseUrl,
        REDIS_URL: settings.redisUrl,
        PAYMENTS_URL: `http://127.0.0.1:${PAYMENTS_PORT(mode.id)}`,
        // The limiter still runs its Redis script on every request, it just never says no.
        RATE_LIMIT_PER_MINUTE: '1000000000',
      });
      started.push(payments, api);
      return { mode, apiUrl: `http://127.0.0.1:${API_PORT(mode.id)}`, api, payments, collector };
    });
    await Promise.all(
      services.flatMap((s) => [
        waitUntilReady(`${s.apiUrl}/health/ready`, s.api),
        waitUntilReady(`http://127.0.0.1:${PAYMENTS_PORT(s.mode.id)}/health/ready`, s.payments),
      ]),
    );
    const mib = (p: BenchProcess) => Math.round(((statusKib(p.pid, 'VmHWM') ?? Number.NaN) / 1024) * 10) / 10;
    const peakRssMiB = () =>
      Object.fromEntries(services.map((s) => [s.mode.id, { api: mib(s.api), payments: mib(s.payments) }])) as ReturnType<
        OverheadStack['peakRssMiB']
      >;
    return { services, collector, profilePushes: () => ({ ...received }), peakRssMiB, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
