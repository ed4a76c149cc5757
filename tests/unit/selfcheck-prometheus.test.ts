import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExpectedAlerts } from '../../src/selfcheck/alert-names.ts';
import { DEFAULT_RULES_DIR } from '../../src/selfcheck/args.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { pollUntil } from '../../src/selfcheck/poll.ts';
import { metricsAttempt, PROBE_METRIC_QUERY } from '../../src/selfcheck/prometheus-metrics.ts';
import { checkAlertRules } from '../../src/selfcheck/prometheus-rules.ts';
import { fakeClock, file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

// prometheus-query-fresh.json holds the sample timestamp 1795578453.735 (s).
const SAMPLE_MS = 1_795_578_453_735;
const client = createHttpClient(2_000);
const server = new FixtureServer();

beforeAll(() => server.start());
afterAll(async () => {
  await server.close();
  await client.close();
});
afterEach(() => {
  server.seen.length = 0;
});

const poll = (startedMs: number, timeoutMs = 10_000, url = server.url) => {
  const clock = fakeClock(startedMs);
  return pollUntil(() => metricsAttempt(client.get, url, startedMs), startedMs + timeoutMs, 2_000, clock);
};

describe('metrics check against the Prometheus 3 query API', () => {
  it('passes when the newest api sample is newer than the probe', async () => {
    server.route('/api/v1/query', file('prometheus-query-fresh.json'));
    const result = await poll(SAMPLE_MS - 3_000);
    expect(result).toMatchObject({
      status: 'pass',
      detail: 'api request metrics for /api/products are flowing: newest sample 3.0 s after the probe',
    });
    expect(server.requests('/api/v1/query')[0]!.query.get('query')).toBe(PROBE_METRIC_QUERY);
    expect(PROBE_METRIC_QUERY).toBe(
      'max(timestamp(http_server_request_duration_seconds_count{service_name="api",http_route="/api/products"}))',
    );
  });

  it('accepts a sample up to 2 s older than the probe (clock skew)', async () => {
    server.route('/api/v1/query', file('prometheus-query-fresh.json'));
    expect((await poll(SAMPLE_MS + 1_500)).status).toBe('pass');
  });

  it('polls while the series is missing, then passes', async () => {
    server.route('/api/v1/query', [file('prometheus-query-empty.json'), file('prometheus-query-fresh.json')]);
    expect((await poll(SAMPLE_MS - 1_000)).status).toBe('pass');
    expect(server.requests('/api/v1/query')).toHaveLength(2);
  });

  it('fails after the timeout when the series never appears, pointing at the OTLP receiver', async () => {
    server.route('/api/v1/query', file('prometheus-query-empty.json'));
    const result = await poll(SAMPLE_MS, 6_000);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(
      'no series http_server_request_duration_seconds_count{service_name="api",http_route="/api/products"} (waited 6 s)',
    );
    expect(result.hint).toContain('--web.enable-otlp-receiver');
  });

  it('fails when the newest sample stays older than the probe: metrics stopped (Collector down)', async () => {
    server.route('/api/v1/query', file('prometheus-query-fresh.json'));
    const result = await poll(SAMPLE_MS + 30_000, 6_000);
    expect(result.detail).toMatch(/^newest api sample is 30 s older than the probe \(waited 6 s\)$/);
    expect(result.hint).toContain('Is the Collector running');
  });

  it('fails at once on a PromQL error, quoting Prometheus', async () => {
    server.route('/api/v1/query', file('prometheus-query-error.json', 400));
    const result = await poll(SAMPLE_MS);
    expect(result.detail).toBe('Prometheus rejected the query: invalid parameter "query": 1:15: parse error: unclosed left parenthesis');
  });

  it('fails at once when Prometheus is down', async () => {
    const url = await refusedUrl();
    const result = await poll(SAMPLE_MS, 60_000, url);
    expect(result.detail).toBe(`Prometheus unreachable at ${url} (connection refused)`);
    expect(result.hint).toContain('docker compose ps prometheus');
  });
});

describe('alert rules check against /api/v1/rules?type=alert', () => {
  // The alerts in the recorded answer; the repo's rule files may grow, the recording does not.
  const recorded = JSON.parse(fixture('prometheus-rules-alert.json')).data.groups.flatMap((g: any) => g.rules.map((r: any) => r.name));
  const expected = { names: recorded as string[], files: ['alerts-http.yml', 'collector.yml'] };

  it('reads every alert name of prometheus/rules/*.yml', () => {
    const fromRepo = loadExpectedAlerts(DEFAULT_RULES_DIR);
    expect(fromRepo.names).toContain('HighErrorRate');
    expect(fromRepo.names).toContain('OtelCollectorDown');
    expect(fromRepo.files.length).toBeGreaterThan(0);
    expect(recorded).toHaveLength(14);
  });

  it('passes when every alert of the rule files is loaded', async () => {
    server.route('/api/v1/rules', file('prometheus-rules-alert.json'));
    const result = await checkAlertRules(client.get, server.url, expected);
    expect(result.status).toBe('pass');
    expect(result.detail).toBe('all 14 alerts of 2 rule files loaded in 5 groups');
    expect(server.requests('/api/v1/rules')[0]!.query.get('type')).toBe('alert');
  });

  it('names the alerts Prometheus did not load', async () => {
    server.route('/api/v1/rules', file('prometheus-rules-alert.json'));
    const result = await checkAlertRules(client.get, server.url, {
      names: ['HighErrorRate', 'DiskFull', 'CertExpiring'],
      files: ['x.yml'],
    });
    expect(result).toMatchObject({ status: 'fail', detail: '2 of 3 alerts not loaded: DiskFull, CertExpiring' });
    expect(result.hint).toContain('promtool check rules');
  });

  it('without rule files, requires at least one alerting rule', async () => {
    server.route('/api/v1/rules', file('prometheus-rules-alert.json'));
    expect((await checkAlertRules(client.get, server.url, { files: [] })).status).toBe('pass');
    server.route('/api/v1/rules', { body: { status: 'success', data: { groups: [] } } });
    const empty = await checkAlertRules(client.get, server.url, { files: [] });
    expect(empty).toMatchObject({ status: 'fail', detail: 'Prometheus has no alerting rule loaded (no rule files to compare with)' });
  });

  it('fails when a loaded alert cannot be evaluated', async () => {
    const rules = JSON.parse(fixture('prometheus-rules-alert.json'));
    Object.assign(rules.data.groups[0].rules[0], { health: 'err', lastError: 'many-to-many matching not allowed' });
    server.route('/api/v1/rules', { body: rules });
    const result = await checkAlertRules(client.get, server.url, expected);
    expect(result.detail).toContain('DatabaseConnectionsSaturated: many-to-many matching not allowed');
  });

  it('fails when Prometheus is down', async () => {
    const result = await checkAlertRules(client.get, await refusedUrl(), expected);
    expect(result.detail).toMatch(/Prometheus unreachable at .* \(connection refused\)/);
  });

  it('reports unreadable rule files and tolerates a missing folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'selfcheck-rules-'));
    expect(loadExpectedAlerts(join(dir, 'absent'))).toEqual({ files: [] });
    writeFileSync(join(dir, 'broken.yml'), 'groups: [unclosed\n');
    const broken = loadExpectedAlerts(dir);
    expect(broken.error).toContain('broken.yml');
  });
});
