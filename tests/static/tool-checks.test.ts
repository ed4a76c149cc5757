import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoPath } from './support/repo.ts';
import { builtTools } from '../helpers/build-tools.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

/** The Go-built tools (scripts/build-tools.sh builds them into the cache; it is run before the tests). */
const tools = builtTools() as Record<'OTELCOL_BIN' | 'PROMTOOL_BIN' | 'AMTOOL_BIN', string>;

const run = (bin: string, args: string[], cwd = repoPath()) => execFileSync(bin, args, { cwd, encoding: 'utf8', stdio: 'pipe' });

describe('configs checked by the tools that run them', () => {
  it('promtool check config: prometheus.yml and its rule files', () => {
    expect(run(tools.PROMTOOL_BIN, ['check', 'config', 'prometheus/prometheus.yml'])).toMatch(/SUCCESS/);
  });

  it("promtool check config: prometheus.yml with the gateway overlay's scrape file where the overlay mounts it", () => {
    const dir = tempDir('otelkit-prom-overlay-');
    cpSync(repoPath('prometheus'), dir, { recursive: true });
    const mounted = join(dir, 'scrape.d/gateway-tiers.yml');
    cpSync(repoPath('prometheus/scrape-gateway-tiers.yml'), mounted);
    expect(run(tools.PROMTOOL_BIN, ['check', 'config', 'prometheus.yml'], dir)).toMatch(/SUCCESS/);
    // The file is really read: a broken one fails the check.
    writeFileSync(mounted, readFileSync(mounted, 'utf8').replace('job_name: otel-gateway', 'job_name: otel-agent'));
    expect(() => run(tools.PROMTOOL_BIN, ['check', 'config', 'prometheus.yml'], dir)).toThrow(/otel-agent/);
  });

  it('promtool check rules', () => {
    const files = [
      'red',
      'alerts-http',
      'alerts-dependencies',
      'alerts-exceptions',
      'collector',
      'slo-api-availability',
      'slo-api-latency',
    ].map((f) => `prometheus/rules/${f}.yml`);
    expect(run(tools.PROMTOOL_BIN, ['check', 'rules', ...files])).not.toMatch(/FAILED/);
  });

  it('promtool test rules: every alert fires on its condition and stays silent on healthy series', () => {
    const output = run(
      tools.PROMTOOL_BIN,
      [
        'test',
        'rules',
        ...['red', 'alerts-http', 'alerts-dependencies', 'alerts-exceptions', 'collector', 'slo-api-availability', 'slo-api-latency'].map(
          (f) => `tests/${f}.yml`,
        ),
      ],
      repoPath('prometheus'),
    );
    expect(output).not.toMatch(/FAILED/);
    expect(output.match(/SUCCESS/g)?.length).toBe(7);
    // promtool evaluates 30 days of series for the SLO windows: seconds of CPU, more on a busy machine.
  }, 120_000);

  it('promtool test rules fails when a rule is broken (the tests can fail)', () => {
    const dir = tempDir('otelkit-rules-');
    cpSync(repoPath('prometheus'), dir, { recursive: true });
    const rules = join(dir, 'rules/alerts-http.yml');
    writeFileSync(
      rules,
      readFileSync(rules, 'utf8').replace(
        'service:http_server_request_errors:ratio_rate5m > 0.05',
        'service:http_server_request_errors:ratio_rate5m > 0.5',
      ),
    );
    expect(() => run(tools.PROMTOOL_BIN, ['test', 'rules', 'tests/alerts-http.yml'], dir)).toThrow();
  }, 60_000);

  it('amtool check-config: alertmanager.yml', () => {
    expect(run(tools.AMTOOL_BIN, ['check-config', 'alertmanager/alertmanager.yml'])).toMatch(/SUCCESS/);
  });

  it('otelcol validate: the Collector config (alone and with host metrics), the agent and gateway tiers, and the test sink', () => {
    run(tools.OTELCOL_BIN, ['validate', '--config', 'collector/config.yaml']);
    run(tools.OTELCOL_BIN, ['validate', '--config', 'collector/config.yaml', '--config', 'collector/config.hostmetrics.yaml']);
    run(tools.OTELCOL_BIN, ['validate', '--config', 'tests/e2e/sink-collector.yaml']);
    // The scale-out tiers (docker-compose.gateway.yml); the gateway labels its series with HOSTNAME.
    run(tools.OTELCOL_BIN, ['validate', '--config', 'collector/agent.yaml']);
    execFileSync(tools.OTELCOL_BIN, ['validate', '--config', 'collector/gateway.yaml'], {
      cwd: repoPath(),
      env: { ...process.env, HOSTNAME: 'validate' },
      stdio: 'pipe',
    });
    expect(() =>
      run(tools.OTELCOL_BIN, ['validate', '--config', 'yaml:receivers::nosuch::endpoint: x', '--config', 'collector/config.yaml']),
    ).toThrow();
  });
});
