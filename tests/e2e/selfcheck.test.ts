import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nativeStackStatus, ROOT, startNativeStack, stopNativeStack } from './native-stack.ts';

// The native stack runs the Collector, Prometheus, Alertmanager and the services; Tempo, Loki and
// Grafana do not run there, so verify is told which backends exist.
const BACKENDS = ['--backends', 'prometheus,alertmanager,collector'];

interface Check {
  id: string;
  status: 'pass' | 'fail' | 'not_checked';
  detail: string;
  hint?: string;
}

/** `npm run verify -- <args> --json` as a child process: exit code and checks by id. */
async function verify(args: string[]): Promise<{ code: number; checks: Record<string, Check>; output: string }> {
  const { code, stdout, stderr } = await promisify(execFile)(process.execPath, ['src/cli/verify.ts', ...args, '--json'], {
    cwd: ROOT,
    timeout: 180_000,
  }).then(
    ({ stdout, stderr }) => ({ code: 0, stdout, stderr }),
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  const output = `exit ${code}\n${stdout}\n${stderr}`;
  const report = JSON.parse(stdout) as { checks: Check[] };
  return { code, checks: Object.fromEntries(report.checks.map((c) => [c.id, c])), output };
}

/** The stack's state directory, as scripts/native-stack.sh computes it. */
function stateDir(): string {
  const vars = execFileSync(join(ROOT, 'scripts/native-stack.sh'), ['env'], { encoding: 'utf8' });
  const state = /^STATE=(.*)$/m.exec(vars)?.[1];
  if (!state) throw new Error(`no STATE from native-stack.sh env: ${vars}`);
  return state;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Stops one stack process by its pid file; it was started with setsid, so its group goes with it. */
async function stopProcess(name: string): Promise<void> {
  const pid = Number(readFileSync(join(stateDir(), 'pids', `${name}.pid`), 'utf8').trim());
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-pid, name);
    } catch {
      process.kill(pid, name); // not a group leader after all: the process alone
    }
  };
  signal('SIGTERM');
  for (let i = 0; i < 150 && alive(pid); i++) await new Promise((resolve) => setTimeout(resolve, 100));
  if (alive(pid)) signal('SIGKILL');
  expect(alive(pid), `${name} (pid ${pid}) still running`).toBe(false);
}

beforeAll(() => {
  startNativeStack();
}, 240_000);

afterAll(() => {
  stopNativeStack();
  expect(nativeStackStatus()).not.toMatch(/running/);
}, 120_000);

describe('npm run verify on the native stack', () => {
  it('(a) healthy: exits 0, and reports Tempo, Loki and Grafana as "not checked"', async () => {
    const { code, checks, output } = await verify([...BACKENDS, '--timeout', '60s']);
    expect(code, output).toBe(0);
    for (const id of ['probe', 'metrics', 'alert-rules', 'alertmanager', 'collector-health', 'collector-pipeline']) {
      expect(checks[id]!.status, `${id}: ${checks[id]!.detail}`).toBe('pass');
    }
    for (const id of ['traces', 'logs', 'grafana-datasources', 'grafana-dashboards']) {
      expect(checks[id]!.status, id).toBe('not_checked');
    }
    expect(checks.alertmanager!.detail).toContain('Prometheus sends to http://127.0.0.1:9093');
  });

  it('(b) Collector stopped: exits 1, names the Collector and the metrics that stopped, with fix hints', async () => {
    await stopProcess('collector');
    // Let the newest metric sample age past verify's 2 s clock-skew allowance.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const { code, checks, output } = await verify([...BACKENDS, '--timeout', '25s']);
    expect(code, output).toBe(1);
    expect(checks['collector-health']).toMatchObject({
      status: 'fail',
      detail: 'Collector unreachable at http://127.0.0.1:13133/ (connection refused)',
    });
    expect(checks['collector-health']!.hint).toContain('$STATE/pids/collector.pid');
    expect(checks['collector-pipeline']!.status).toBe('fail');
    expect(checks.metrics!.status).toBe('fail');
    expect(checks.metrics!.detail).toMatch(/count of the api still|no series/);
    expect(checks.metrics!.hint).toMatch(/Collector/);
    // The api itself still answers, and Prometheus still has its rules.
    expect(checks.probe!.status).toBe('pass');
    expect(checks['alert-rules']!.status).toBe('pass');
  });

  it('(c) Prometheus stopped: exits 1 and names Prometheus with a fix hint', async () => {
    await stopProcess('prometheus');
    const { code, checks, output } = await verify([...BACKENDS, '--timeout', '10s']);
    expect(code, output).toBe(1);
    for (const id of ['metrics', 'alert-rules']) {
      expect(checks[id]).toMatchObject({ status: 'fail', detail: 'Prometheus unreachable at http://127.0.0.1:9090 (connection refused)' });
      expect(checks[id]!.hint).toContain('docker compose ps prometheus');
    }
    // Alertmanager itself answers, but without Prometheus nothing proves that alerts reach it.
    expect(checks.alertmanager).toMatchObject({ status: 'fail' });
    expect(checks.alertmanager!.detail).toContain("Prometheus's list of Alertmanagers is unreachable (connection refused)");
  });
});
