import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const ADMIN_TOKEN = 'e2e-admin-token-0123456789';
export const API_URL = 'http://127.0.0.1:8080';
export const PAYMENTS_URL = 'http://127.0.0.1:8081';

const script = join(ROOT, 'scripts/native-stack.sh');
const env = () => ({ ...process.env, NODE_BIN: process.execPath, ADMIN_TOKEN });

/** Starts the native stack (scripts/native-stack.sh) and returns the sink directory. */
export function startNativeStack(): string {
  execFileSync(script, ['stop'], { env: env(), stdio: 'ignore' });
  execFileSync(script, ['start'], { env: env(), stdio: 'inherit', timeout: 180_000 });
  const vars = execFileSync(script, ['env'], { env: env(), encoding: 'utf8' });
  const sink = /^SINK_DIR=(.*)$/m.exec(vars)?.[1];
  if (!sink) throw new Error(`no SINK_DIR from native-stack.sh env: ${vars}`);
  return sink;
}

export function stopNativeStack(): void {
  execFileSync(script, ['stop'], { env: env(), stdio: 'inherit', timeout: 120_000 });
}

/** The stack's state directory: logs/<service>.log, pids/<service>.pid, sink/. */
export function nativeStackState(): string {
  const vars = execFileSync(script, ['env'], { env: env(), encoding: 'utf8' });
  const state = /^STATE=(.*)$/m.exec(vars)?.[1];
  if (!state) throw new Error(`no STATE from native-stack.sh env: ${vars}`);
  return state;
}

/** The process ids the stack's pid files name: after stop, none may still run. */
export function nativeStackStatus(): string {
  return execFileSync(script, ['status'], { env: env(), encoding: 'utf8' });
}
