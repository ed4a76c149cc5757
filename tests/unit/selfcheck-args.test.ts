import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { verifyEnv } from '../../src/config/verify-env.ts';
import { UsageError } from '../../src/cli/usage.ts';
import { DEFAULT_RULES_DIR, parseVerifyArgs } from '../../src/selfcheck/args.ts';
import { fail, notChecked, pass } from '../../src/selfcheck/check.ts';
import { exitCode } from '../../src/selfcheck/report.ts';
import { refusedUrl } from '../fixtures/selfcheck/server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Runs the real entry point; resolves with its exit code and output whatever the code. */
async function verify(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, ['src/cli/verify.ts', ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('parseVerifyArgs', () => {
  it('defaults to every backend on the compose ports of 127.0.0.1', () => {
    const options = parseVerifyArgs([]);
    expect(options.backends).toEqual(['collector', 'prometheus', 'alertmanager', 'tempo', 'loki', 'grafana']);
    expect(options.urls).toEqual({
      api: 'http://127.0.0.1:8080',
      prometheus: 'http://127.0.0.1:9090',
      tempo: 'http://127.0.0.1:3200',
      loki: 'http://127.0.0.1:3100',
      grafana: 'http://127.0.0.1:3000',
      alertmanager: 'http://127.0.0.1:9093',
      collectorHealth: 'http://127.0.0.1:13133/',
      collectorMetrics: 'http://127.0.0.1:8888/metrics',
    });
    expect(options).toMatchObject({
      timeoutMs: 60_000,
      intervalMs: 2_000,
      tenant: 'acme',
      grafana: { user: 'admin', password: 'admin' },
      json: false,
    });
    expect(options.rulesDir).toBe(DEFAULT_RULES_DIR);
    expect(DEFAULT_RULES_DIR).toMatch(/prometheus[/\\]rules$/);
  });

  it('takes URLs and credentials from the environment, flags winning', () => {
    const env = verifyEnv({
      TEMPO_URL: 'http://tempo.local:3200',
      LOKI_URL: 'http://loki.local:3100',
      GRAFANA_ADMIN_PASSWORD: 's3cret',
      VERIFY_BACKENDS: 'tempo',
    });
    const options = parseVerifyArgs(['--loki-url', 'http://127.0.0.1:13100', '--timeout', '90s', '--json'], env);
    expect(options.urls.tempo).toBe('http://tempo.local:3200');
    expect(options.urls.loki).toBe('http://127.0.0.1:13100');
    expect(options.grafana.password).toBe('s3cret');
    expect(options.backends).toEqual(['tempo']);
    expect(options).toMatchObject({ timeoutMs: 90_000, json: true });
    expect(verifyEnv({ GRAFANA_USER: 'ops', GRAFANA_ADMIN_USER: 'admin' }).GRAFANA_USER).toBe('ops');
  });

  it('parses --backends (order-independent, "all", case and spaces tolerated)', () => {
    expect(parseVerifyArgs(['--backends', 'collector, Prometheus,alertmanager']).backends).toEqual([
      'collector',
      'prometheus',
      'alertmanager',
    ]);
    expect(parseVerifyArgs(['--backends', 'all']).backends).toHaveLength(6);
    expect(parseVerifyArgs(['--backends', 'loki'], { VERIFY_BACKENDS: 'tempo' }).backends).toEqual(['loki']);
  });

  it.each([
    [
      ['--backends', 'prometheus,jaeger'],
      '--backends: unknown backend "jaeger" (known: collector, prometheus, alertmanager, tempo, loki, grafana)',
    ],
    [['--backends', ' , '], '--backends is empty'],
    [['--timeout', 'soon'], '--timeout "soon" is not a duration'],
    [['--timeout', '0s'], '--timeout must be > 0'],
    [['--timeout', '11m'], 'at most 10m'],
    [['--interval', '10ms'], '--interval must be between'],
    [['--tempo-url', 'tempo:3200'], '--tempo-url "tempo:3200" is not an http(s) URL'],
    [['--tenant', 'ACME!'], '--tenant "ACME!" is not a tenant id'],
    [['--bogus'], "Unknown option '--bogus'"],
    [['extra'], 'positional'],
  ])('rejects %j with a clear message', (argv, message) => {
    expect(() => parseVerifyArgs(argv)).toThrow(UsageError);
    expect(() => parseVerifyArgs(argv)).toThrow(message);
  });

  it('names the environment variable when it is the culprit', () => {
    expect(() => parseVerifyArgs([], { VERIFY_BACKENDS: 'nope' })).toThrow('VERIFY_BACKENDS: unknown backend "nope"');
    expect(() => parseVerifyArgs([], { PROMETHEUS_URL: 'ftp://x' })).toThrow('PROMETHEUS_URL "ftp://x" is not an http(s) URL');
  });
});

describe('exit code', () => {
  it('is 0 only when something was checked and every checked row passed', () => {
    expect(exitCode([pass('probe', 'ok'), pass('metrics', 'ok'), notChecked('traces', 'tempo absent')])).toBe(0);
    expect(exitCode([pass('probe', 'ok'), fail('metrics', 'no', 'fix')])).toBe(1);
    expect(exitCode([notChecked('traces', 'x'), notChecked('logs', 'y')])).toBe(1);
    expect(exitCode([])).toBe(1);
  });
});

describe('npm run verify (the entry point)', () => {
  it('exits 2 with the message and the usage on a usage error', async () => {
    const run = await verify(['--backends', 'prometheus,jaeger']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('verify: --backends: unknown backend "jaeger"');
    expect(run.stderr).toContain('Usage: npm run verify');
    expect(run.stdout).toBe('');
  });

  it('prints the usage and exits 0 on --help', async () => {
    const run = await verify(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('--backends LIST');
    expect(run.stdout).toContain('Exit codes:');
  });

  it('exits 1 and names the Collector when nothing listens, others "not checked"', async () => {
    const down = await refusedUrl();
    const run = await verify(['--backends', 'collector', '--json'], {
      COLLECTOR_HEALTH_URL: `${down}/`,
      COLLECTOR_METRICS_URL: `${down}/metrics`,
    });
    expect(run.code).toBe(1);
    const report = JSON.parse(run.stdout);
    expect(report.ok).toBe(false);
    const byId = Object.fromEntries(report.checks.map((c: any) => [c.id, c]));
    expect(byId['collector-health']).toMatchObject({ status: 'fail', detail: `Collector unreachable at ${down}/ (connection refused)` });
    expect(byId['collector-health'].hint).toContain('otel-collector');
    expect(byId.probe.status).toBe('not_checked');
    expect(byId.traces).toMatchObject({ status: 'not_checked', detail: 'tempo is not in --backends (collector)' });
  });
});
