import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePort } from './ports.ts';

/**
 * A private redis-server on a port the OS assigned, so a test can stop and restart "the" Redis of one
 * service (a restart keeps the port), and no other test or run shares it.
 */
export class PrivateRedis {
  private process: ChildProcess | undefined;
  private assigned: number | undefined;

  /** The port, known once the server has started. */
  get port(): number {
    if (this.assigned === undefined) throw new Error('PrivateRedis: start() first');
    return this.assigned;
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.assigned ??= await freePort();
    this.process = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    const spawned = this.process;
    await new Promise<void>((resolve, reject) => {
      spawned.once('error', (error) => reject(new Error(`redis-server could not start (is it installed?): ${error.message}`)));
      spawned.once('spawn', () => resolve());
    });
    await waitForPort(this.port, true);
  }

  async stop(): Promise<void> {
    const running = this.process;
    if (!running || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
    await waitForPort(this.port, false);
  }
}

async function waitForPort(port: number, open: boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const isOpen = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (isOpen === open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`port ${port} did not become ${open ? 'open' : 'closed'} within ${timeoutMs} ms`);
}
