import { spawn, type ChildProcess } from 'node:child_process';
import { processCpuSeconds } from './overhead-cpu.ts';

/** How a service is started: the four ways compared by the overhead part. */
export interface Mode {
  id: 'on' | 'profiled' | 'disabled' | 'bare';
  label: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

const BOOTSTRAP = ['--import', './src/instrumentation.ts'];

export const MODES: readonly Mode[] = [
  // Continuous profiling is off in benchmarks (as natively) except in the mode that measures it.
  { id: 'on', label: 'telemetry on (OTLP HTTP → Collector)', nodeArgs: BOOTSTRAP, env: { PROFILING_ENABLED: 'false' } },
  {
    id: 'profiled',
    label: 'telemetry on + continuous profiling (`PROFILING_ENABLED=true`)',
    nodeArgs: BOOTSTRAP,
    env: { PROFILING_ENABLED: 'true' },
  },
  {
    id: 'disabled',
    label: '`OTEL_SDK_DISABLED=true` (bootstrap loaded, SDK off)',
    nodeArgs: BOOTSTRAP,
    env: { OTEL_SDK_DISABLED: 'true', PROFILING_ENABLED: 'false' },
  },
  { id: 'bare', label: 'no bootstrap (no `--import`)', nodeArgs: [], env: { PROFILING_ENABLED: 'false' } },
];

/** A child process of the benchmark, with the tail of its stderr kept for error messages. */
export class BenchProcess {
  readonly name: string;
  private readonly child: ChildProcess;
  private readonly stderr: string[] = [];

  constructor(name: string, command: string, args: string[], options: { cwd: string; env: Record<string, string> }) {
    this.name = name;
    // stdout (a pino line per request) goes nowhere: reading it would cost the benchmark CPU.
    this.child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.on('data', (chunk: Buffer) => {
      this.stderr.push(chunk.toString());
      if (this.stderr.length > 20) this.stderr.shift();
    });
    this.child.on('error', (error) => this.stderr.push(String(error)));
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error(`${this.name} did not start: ${this.stderrTail()}`);
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  stderrTail(): string {
    return this.stderr.join('').trim().split('\n').slice(-10).join('\n');
  }

  cpuSeconds(): number {
    return processCpuSeconds(this.pid);
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

/** Polls `url` until it answers 2xx; fails early, with the process's stderr, if the process exits. */
export async function waitUntilReady(url: string, service: BenchProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!service.running) throw new Error(`${service.name} exited before it was ready:\n${service.stderrTail()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${service.name} was not ready at ${url} within ${timeoutMs} ms:\n${service.stderrTail()}`);
}

/**
 * Waits until the given processes together use less than `maxCores` of CPU over 200 ms (at most
 * `maxSeconds`): after a window with telemetry on, the service still exports the spans and logs it
 * queued, and the Collector still writes them, which would otherwise slow down the next mode's window.
 */
export async function waitUntilQuiet(processes: BenchProcess[], maxCores = 0.1, maxSeconds = 5): Promise<void> {
  const deadline = performance.now() + maxSeconds * 1000;
  const total = () => processes.reduce((sum, p) => sum + p.cpuSeconds(), 0);
  while (performance.now() < deadline) {
    const before = total();
    await new Promise((resolve) => setTimeout(resolve, 200));
    if ((total() - before) / 0.2 < maxCores) return;
  }
}

/** Starts `src/services/<service>.ts` exactly as in production, except for the mode's bootstrap flags. */
export function startService(root: string, service: 'api' | 'payments', mode: Mode, env: Record<string, string>): BenchProcess {
  return new BenchProcess(`${service} (${mode.id})`, process.execPath, [...mode.nodeArgs, `src/services/${service}.ts`], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOST: '127.0.0.1', ...env, ...mode.env },
  });
}
