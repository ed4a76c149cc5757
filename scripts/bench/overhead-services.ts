import { spawn, type ChildProcess } from 'node:child_process';
import { processCpuSeconds } from './overhead-cpu.ts';

/** How a service is started: the ways compared by the overhead part. */
export interface Mode {
  id: MainModeId | CurveModeId;
  label: string;
  nodeArgs: string[];
  env: Record<string, string>;
}

/**
 * Modes measured at saturation and below it (open model): the two profiles (100% = the demo
 * default, production = OTELKIT_PROFILE=production), continuous profiling, SDK off, no bootstrap.
 */
export type MainModeId = 'on' | 'production' | 'profiled' | 'disabled' | 'bare';
/** Extra points of the cost curve (sampling share × request logs), measured at saturation only. */
export type CurveModeId = 's25' | 's10' | 's1' | 'q100' | 'q25' | 'q1';

const BOOTSTRAP = ['--import', './src/instrumentation.ts'];
// Continuous profiling is off in benchmarks (as natively) except in the mode that measures it.
const OFF = { PROFILING_ENABLED: 'false' };

export const MAIN_MODES: readonly Mode[] = [
  { id: 'on', label: 'telemetry on, 100% (demo profile)', nodeArgs: BOOTSTRAP, env: OFF },
  {
    id: 'production',
    label: 'production profile (`OTELKIT_PROFILE=production`: 10% head sampling, request logs for errors and slow requests)',
    nodeArgs: BOOTSTRAP,
    env: { ...OFF, OTELKIT_PROFILE: 'production' },
  },
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
    env: { ...OFF, OTEL_SDK_DISABLED: 'true' },
  },
  { id: 'bare', label: 'no bootstrap (no `--import`)', nodeArgs: [], env: OFF },
];

/** A point of the cost curve: share of traces kept at the head, and which requests get a log line. */
export interface CurvePoint {
  /** The mode measuring it: a main mode (on = 100%/all, production = 10%/errors-and-slow) or a curve mode. */
  mode: Mode['id'];
  samplingPct: number;
  requestLog: 'all' | 'errors-and-slow';
}

const curveMode = (id: CurveModeId, samplingPct: number, requestLog: CurvePoint['requestLog']): Mode => ({
  id,
  label: `${samplingPct}% sampling, request logs ${requestLog}`,
  nodeArgs: BOOTSTRAP,
  env: {
    ...OFF,
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(samplingPct / 100),
    REQUEST_LOG: requestLog,
  },
});

export const CURVE_MODES: readonly Mode[] = [
  curveMode('s25', 25, 'all'),
  curveMode('s10', 10, 'all'),
  curveMode('s1', 1, 'all'),
  curveMode('q100', 100, 'errors-and-slow'),
  curveMode('q25', 25, 'errors-and-slow'),
  curveMode('q1', 1, 'errors-and-slow'),
];

/** The curve in print order: 100, 25, 10, 1% with request logs on, then the same with them off. */
export const CURVE: readonly CurvePoint[] = [
  { mode: 'on', samplingPct: 100, requestLog: 'all' },
  { mode: 's25', samplingPct: 25, requestLog: 'all' },
  { mode: 's10', samplingPct: 10, requestLog: 'all' },
  { mode: 's1', samplingPct: 1, requestLog: 'all' },
  { mode: 'q100', samplingPct: 100, requestLog: 'errors-and-slow' },
  { mode: 'q25', samplingPct: 25, requestLog: 'errors-and-slow' },
  { mode: 'production', samplingPct: 10, requestLog: 'errors-and-slow' },
  { mode: 'q1', samplingPct: 1, requestLog: 'errors-and-slow' },
];

export const MODES: readonly Mode[] = [...MAIN_MODES, ...CURVE_MODES];

/**
 * The headline comparison (the two profiles against no bootstrap), measured again in a phase of its
 * own: only these three modes, short windows back to back, many rounds, so that each round's ratio
 * compares windows seconds apart instead of minutes (the shared machine's load drifts in between).
 */
export const PROFILE_MODE_IDS = ['bare', 'production', 'on'] as const;
export type ProfileModeId = (typeof PROFILE_MODE_IDS)[number];

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
