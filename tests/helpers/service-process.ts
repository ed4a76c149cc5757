import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The shop's services live in src/services, the kit's tools (the load generator) in src/cli. */
const entryPoint = (name: string) => (name === 'loadgen' ? 'src/cli/loadgen.ts' : `src/services/${name}.ts`);

/** A service started exactly as in production: `node --import ./src/instrumentation.ts <its entry point>`. */
export class ServiceProcess {
  readonly output: string[] = [];
  private child: ChildProcess | undefined;
  exitCode: number | null = null;
  readonly name: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(name: string, env: NodeJS.ProcessEnv) {
    this.name = name;
    this.env = env;
  }

  start(args: string[] = []): this {
    this.child = spawn(process.execPath, ['--import', './src/instrumentation.ts', entryPoint(this.name), ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const collect = (chunk: Buffer) => this.output.push(...chunk.toString().split('\n').filter(Boolean));
    this.child.stdout!.on('data', collect);
    this.child.stderr!.on('data', collect);
    this.child.once('exit', (code) => {
      this.exitCode = code;
    });
    return this;
  }

  /** Operating-system id of the process (for /proc/<pid>/status). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitCode === null;
  }

  /** JSON log lines the service wrote so far. */
  jsonLines(): Array<Record<string, unknown>> {
    return this.output.flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  }

  /** Waits for the process to exit on its own (resolves its exit code). */
  waitForExit(timeoutMs: number): Promise<number | null> {
    if (!this.running) return Promise.resolve(this.exitCode);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${this.name} did not exit within ${timeoutMs} ms:\n${this.output.slice(-20).join('\n')}`)),
        timeoutMs,
      );
      this.child!.once('exit', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (!this.running) return this.exitCode;
    this.child!.kill(signal);
    try {
      return await this.waitForExit(timeoutMs);
    } catch (error) {
      this.child!.kill('SIGKILL');
      throw error;
    }
  }
}

/** Waits until `url` answers 200 (the service is up), failing with the service's output otherwise. */
export async function waitForHttp(url: string, service: ServiceProcess, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!service.running) throw new Error(`${service.name} exited (${service.exitCode}):\n${service.output.slice(-20).join('\n')}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`${url} not ready within ${timeoutMs} ms:\n${service.output.slice(-20).join('\n')}`);
}
