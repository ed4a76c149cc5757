/**
 * Child processes of a benchmark part: started in their own process group with output to a log
 * file, awaited on an HTTP readiness URL, and always stopped (the whole group) when the part ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Started {
  name: string;
  pid: number;
  child: ChildProcess;
  log: string;
}

// Children run in process groups of their own, which Ctrl-C on the benchmark does not reach: on
// SIGINT/SIGTERM every live group is stopped before the benchmark exits.
const live = new Set<ProcessGroup>();
let handlerInstalled = false;
function stopAllOnSignal(): void {
  if (handlerInstalled) return;
  handlerInstalled = true;
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      void Promise.all([...live].map((g) => g.stop())).finally(() => process.exit(130));
    });
  }
}

export class ProcessGroup {
  private readonly started: Started[] = [];
  private readonly logDir: string;

  constructor(logDir: string) {
    this.logDir = logDir;
  }

  /** Starts `command`; `cpus` pins it (taskset -c) to those cores. */
  start(name: string, command: string, args: string[], options: { env?: NodeJS.ProcessEnv; cwd?: string; cpus?: string } = {}): Started {
    const log = join(this.logDir, `${name}.log`);
    const out = openSync(log, 'w');
    const [file, argv] = options.cpus ? ['taskset', ['-c', options.cpus, command, ...args]] : [command, args];
    const child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', out, out],
      detached: true, // own process group: stop() reaches its children too
    });
    const started = { name, pid: child.pid!, child, log };
    this.started.push(started);
    live.add(this);
    stopAllOnSignal();
    return started;
  }

  /** Resolves when `url` answers 2xx; fails with the log's tail if the process exits or time runs out. */
  async ready(process: Started, url: string, timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (process.child.exitCode !== null) throw new Error(`${process.name} exited during start-up:\n${tail(process.log)}`);
      try {
        if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`${process.name} not ready at ${url} within ${timeoutMs} ms:\n${tail(process.log)}`);
  }

  /** Stops every process, last started first (services flush into a Collector still running). */
  async stop(): Promise<void> {
    for (const p of [...this.started].reverse()) await stopOne(p);
    this.started.length = 0;
    live.delete(this);
  }
}

async function stopOne(p: Started): Promise<void> {
  if (p.child.exitCode !== null || p.child.signalCode !== null) return;
  const exited = new Promise((resolve) => p.child.once('exit', resolve));
  signal(p.pid, 'SIGTERM');
  const timer = setTimeout(() => signal(p.pid, 'SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
  signal(p.pid, 'SIGKILL'); // anything left in its group
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(-pid, sig); // the process group
  } catch {
    // already gone
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};
