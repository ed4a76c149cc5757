/**
 * The native stack of scripts/native-stack.sh (the same config files as docker compose, run as
 * local processes), started on ports 18510–18599 with its state in a temporary directory, so a
 * benchmark never meets a stack someone else left running on the default ports. Postgres and Redis
 * come from scripts/backends.sh. A sink Collector (tests/e2e/sink-collector.yaml) stands in for
 * Tempo and Loki and writes what reaches it to JSON-lines files.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessGroup, type Started } from './processes.ts';
import { BENCH_DATABASE_URL, BENCH_REDIS_URL } from './bench-backends.ts';

export const STACK_PORTS = {
  api: 18580,
  payments: 18581,
  worker: 18582,
  collectorGrpc: 18517,
  collectorHttp: 18518,
  collectorHealth: 18513,
  collectorMetrics: 18588,
  sinkGrpc: 18527,
  sinkHttp: 18528,
  sinkHealth: 18523,
  prometheus: 18590,
  alertmanager: 18593,
};

export type StackProcess = 'sink' | 'prometheus' | 'alertmanager' | 'collector' | 'payments' | 'api' | 'worker';

export interface StackOptions {
  root: string;
  tools: Record<string, string>;
  /** Which processes to start (in dependency order; the sink and Prometheus are always needed). */
  only?: StackProcess[];
  /** Extra environment for the Node services (e.g. a shorter metric export interval in smoke runs). */
  serviceEnv?: NodeJS.ProcessEnv;
  /** Seconds after which the sink flushes its files (tests/e2e/sink-collector.yaml says 1 s). */
  sinkFlush?: string;
}

export const ADMIN_TOKEN = 'otelkit-admin-token';
const ALL: StackProcess[] = ['sink', 'prometheus', 'alertmanager', 'collector', 'payments', 'api', 'worker'];

export class BenchStack {
  readonly dir: string;
  readonly sinkDir: string;
  readonly processes = new Map<StackProcess, Started>();
  private readonly group: ProcessGroup;
  private readonly options: StackOptions;

  constructor(options: StackOptions) {
    this.options = options;
    this.dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-stack-'));
    this.sinkDir = join(this.dir, 'sink');
    mkdirSync(join(this.dir, 'logs'));
    this.group = new ProcessGroup(join(this.dir, 'logs'));
  }

  /** Environment of a Node process exporting to this stack's Collector (services and loadgen). */
  nodeEnv(): NodeJS.ProcessEnv {
    return {
      // scripts/backends.sh's servers; a caller may pick another database on them (the smoke test does).
      DATABASE_URL: BENCH_DATABASE_URL,
      REDIS_URL: BENCH_REDIS_URL,
      PAYMENTS_URL: `http://127.0.0.1:${STACK_PORTS.payments}`,
      API_URL: `http://127.0.0.1:${STACK_PORTS.api}`,
      HOST: '127.0.0.1',
      ADMIN_TOKEN,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${STACK_PORTS.collectorHttp}`,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=bench',
      // The per-tenant window lives in Redis and outlasts a part: one part's load (footprint's
      // mixed traffic) would otherwise answer the next part's first requests with 429.
      RATE_LIMIT_PER_MINUTE: '1000000000',
      ...this.options.serviceEnv,
    };
  }

  async start(): Promise<void> {
    const { root, tools } = this.options;
    const want = new Set(this.options.only ?? ALL);
    execFileSync(join(root, 'scripts/backends.sh'), ['start'], { stdio: 'ignore' });
    const g = this.group;
    const ready: Promise<void>[] = [];
    const launch = (name: StackProcess, command: string, args: string[], env: NodeJS.ProcessEnv, url: string) => {
      const p = g.start(name, command, args, { env, cwd: root });
      this.processes.set(name, p);
      ready.push(g.ready(p, url));
    };
    const sinkArgs = ['--config', join(root, 'tests/e2e/sink-collector.yaml')];
    const flush = this.options.sinkFlush;
    if (flush)
      for (const signal of ['traces', 'logs', 'metrics'])
        sinkArgs.push('--config', `yaml:exporters::file/${signal}::flush_interval: ${flush}`);
    launch(
      'sink',
      tools.OTELCOL_BIN!,
      sinkArgs,
      {
        SINK_DIR: this.sinkDir,
        SINK_GRPC_ENDPOINT: `127.0.0.1:${STACK_PORTS.sinkGrpc}`,
        SINK_HTTP_ENDPOINT: `127.0.0.1:${STACK_PORTS.sinkHttp}`,
        SINK_HEALTH_ENDPOINT: `127.0.0.1:${STACK_PORTS.sinkHealth}`,
      },
      `http://127.0.0.1:${STACK_PORTS.sinkHealth}/`,
    );
    const prom = join(this.dir, 'prometheus');
    mkdirSync(join(prom, 'data'), { recursive: true });
    writeFileSync(join(prom, 'prometheus.yml'), localize(readFileSync(join(root, 'prometheus/prometheus.yml'), 'utf8')));
    symlinkSync(join(root, 'prometheus/rules'), join(prom, 'rules'));
    launch(
      'prometheus',
      tools.PROMETHEUS_BIN!,
      [
        `--config.file=${join(prom, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(prom, 'data')}`,
        `--web.listen-address=127.0.0.1:${STACK_PORTS.prometheus}`,
        '--web.enable-otlp-receiver',
        '--enable-feature=exemplar-storage',
        '--web.enable-lifecycle',
      ],
      {},
      `http://127.0.0.1:${STACK_PORTS.prometheus}/-/ready`,
    );
    if (want.has('alertmanager')) {
      const am = join(this.dir, 'alertmanager');
      mkdirSync(join(am, 'data'), { recursive: true });
      writeFileSync(join(am, 'alertmanager.yml'), localize(readFileSync(join(root, 'alertmanager/alertmanager.yml'), 'utf8')));
      launch(
        'alertmanager',
        tools.ALERTMANAGER_BIN!,
        [
          `--config.file=${join(am, 'alertmanager.yml')}`,
          `--storage.path=${join(am, 'data')}`,
          `--web.listen-address=127.0.0.1:${STACK_PORTS.alertmanager}`,
          '--cluster.listen-address=',
        ],
        {},
        `http://127.0.0.1:${STACK_PORTS.alertmanager}/-/ready`,
      );
    }
    // The kit's Collector config with the host-metrics overlay, as the native stack runs it; only
    // the fixed listen ports move.
    launch(
      'collector',
      tools.OTELCOL_BIN!,
      [
        join(root, 'collector/config.yaml'),
        join(root, 'collector/config.hostmetrics.yaml'),
        `yaml:receivers::otlp::protocols::grpc::endpoint: 127.0.0.1:${STACK_PORTS.collectorGrpc}`,
        `yaml:receivers::otlp::protocols::http::endpoint: 127.0.0.1:${STACK_PORTS.collectorHttp}`,
        `yaml:extensions::health_check::endpoint: 127.0.0.1:${STACK_PORTS.collectorHealth}`,
        `yaml:service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${STACK_PORTS.collectorMetrics}, without_units: true, without_type_suffix: true}}}}]`,
      ].flatMap((c) => ['--config', c]),
      {
        OTELCOL_BIND_HOST: '127.0.0.1',
        TEMPO_OTLP_ENDPOINT: `127.0.0.1:${STACK_PORTS.sinkGrpc}`,
        LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${STACK_PORTS.sinkHttp}/otlp`,
        PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${STACK_PORTS.prometheus}/api/v1/otlp`,
        REDIS_ENDPOINT: '127.0.0.1:6379',
      },
      `http://127.0.0.1:${STACK_PORTS.collectorHealth}/`,
    );
    await Promise.all(ready.splice(0));
    // The services start once their Collector is up, as in compose (no lost start-up telemetry).
    const node = process.execPath;
    const service = (name: 'payments' | 'api' | 'worker') =>
      launch(
        name,
        node,
        ['--import', './src/instrumentation.ts', `src/services/${name}.ts`],
        { ...this.nodeEnv(), PORT: String(STACK_PORTS[name]) },
        `http://127.0.0.1:${STACK_PORTS[name]}/health/ready`,
      );
    if (want.has('payments')) service('payments');
    if (want.has('api')) service('api');
    await Promise.all(ready.splice(0));
    // The worker reads the stream the api's migrations and consumer group set up.
    if (want.has('worker')) service('worker');
    await Promise.all(ready.splice(0));
  }

  pid(name: StackProcess): number | undefined {
    return this.processes.get(name)?.pid;
  }

  async stop(): Promise<void> {
    await this.group.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Compose hostnames → 127.0.0.1 and the default ports → this stack's (Prometheus and Alertmanager configs). */
function localize(text: string): string {
  const ports: Record<string, number> = {
    'prometheus:9090': STACK_PORTS.prometheus,
    'alertmanager:9093': STACK_PORTS.alertmanager,
    'otel-collector:8888': STACK_PORTS.collectorMetrics,
  };
  return text
    .replace(/\b(prometheus:9090|alertmanager:9093|otel-collector:8888)\b/g, (hostPort) => `127.0.0.1:${ports[hostPort]}`)
    .replace(/\b(otel-collector|prometheus|alertmanager|api|payments|worker|postgres|redis|loki|tempo|grafana):([0-9]+)/g, '127.0.0.1:$2');
}
