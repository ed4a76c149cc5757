import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './service-process.ts';
import { builtTool } from './build-tools.ts';

/** Our built Collector (scripts/build-tools.sh builds it before the tests and prints its path). */
export const OTELCOL_BIN = builtTool('OTELCOL_BIN');

export { freePorts } from './ports.ts';

/**
 * `yaml:` overrides that move the kit config's fixed listen ports (OTLP, health check, own metrics)
 * to free ones, leaving everything else as shipped.
 */
export function portOverrides(ports: { grpc: number; http: number; health: number; metrics?: number }): string[] {
  const metrics = ports.metrics
    ? `yaml:service::telemetry::metrics::readers: [{pull: {exporter: {prometheus: {host: 127.0.0.1, port: ${ports.metrics}, without_units: true, without_type_suffix: true}}}}]`
    : 'yaml:service::telemetry::metrics::level: none';
  return [
    `yaml:receivers::otlp::protocols::grpc::endpoint: 127.0.0.1:${ports.grpc}`,
    `yaml:receivers::otlp::protocols::http::endpoint: 127.0.0.1:${ports.http}`,
    `yaml:extensions::health_check::endpoint: 127.0.0.1:${ports.health}`,
    metrics,
  ].flatMap((override) => ['--config', override]);
}

/** A Collector process; `output` collects its log lines for failure messages. */
export class CollectorProcess {
  readonly output: string[] = [];
  private readonly child: ChildProcess;

  constructor(args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(OTELCOL_BIN, args, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
    this.child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()));
  }

  /** Resolves once the health check extension at `port` answers 200. */
  async ready(healthPort: number): Promise<void> {
    await until('Collector healthy', async () => ((await fetch(`http://127.0.0.1:${healthPort}/`)).ok ? true : undefined), this.output);
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }

  /** SIGTERM, as `docker compose stop` sends: the Collector drains its queues, then exits. */
  async stop(timeoutMs = 20_000): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    await exited;
    clearTimeout(timer);
  }
}

/** Polls `probe` every 100 ms until it returns a value, failing with `output`'s tail after `timeoutMs`. */
export async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  output: string[],
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not there yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${what}: not within ${timeoutMs} ms:\n${output.join('').slice(-3000)}`);
}
