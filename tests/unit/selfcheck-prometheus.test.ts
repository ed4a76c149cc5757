import { writeFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadExpectedAlerts } from '../../src/selfcheck/alert-names.ts';
import { DEFAULT_RULES_DIR } from '../../src/selfcheck/args.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { pollUntil } from '../../src/selfcheck/poll.ts';
import { metricsAttempt, PROBE_COUNT_QUERY, readProbeCount } from '../../src/selfcheck/prometheus-metrics.ts';
import { checkAlertRules } from '../../src/selfcheck/prometheus-rules.ts';
import { fakeClock, file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

// An instant-query answer of `sum(...)`: one sample without labels, in the recorded envelope.
const count = (n: string) => ({
  body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1_795_578_463.068, n] }] } },
});
const STARTED = 1_795_578_450_000;
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

const poll = (before: number, timeoutMs = 10_000, url = server.url) => {
  const clock = fakeClock(STARTED);
  return pollUntil(() => metricsAttempt(client.get, url, before), STARTED + timeoutMs, 2_000, clock);
};

describe('metrics check against the Prometheus 3 query API', () => {
  it("asks for the api's GET /api/products request count", async () => {
    server.route('/api/v1/query', count('41'));
    expect(await readProbeCount(client.get, server.url)).toEqual({ count: 41, series: true });
    expect(server.requests('/api/v1/query')[0]!.query.get('query')).toBe(
      'sum(http_server_request_duration_seconds_count{service_name="api",http_route="/api/products",http_request_method="GET"})',
    );
    expect(PROBE_COUNT_QUERY).toBe(server.requests('/api/v1/query')[0]!.query.get('query'));
  });

  it('reads a missing series as 0 requests so far', async () => {
    server.route('/api/v1/query', file('prometheus-query-empty.json'));
    expect(await readProbeCount(client.get, server.url)).toEqual({ count: 0, series: false });
  });

  it('passes when the count rose above its value before the probe', async () => {
    server.route('/api/v1/query', count('42'));
    const result = await poll(41);
    expect(result).toMatchObject({
      status: 'pass',
      detail: "GET /api/products count of the api rose from 41 to 42: the probe's request reached Prometheus",
    });
  });

  it('polls while the count has not risen, then passes', async () => {
    server.route('/api/v1/query', [count('41'), count('41'), count('43')]);
    expect((await poll(41)).status).toBe('pass');
    expect(server.requests('/api/v1/query')).toHaveLength(3);
  });

  it("fails when the series exists but the probe's request never shows up (fresh samples are not enough)", async () => {
    server.route('/api/v1/query', count('41'));
    const result = await poll(41, 6_000);
    expect(result).toMatchObject({
      status: 'fail',
      detail: 'GET /api/products count of the api still 41 (41 before the probe) (waited 6 s)',
    });
    expect(result.hint).toContain('Is the Collector running');
  });

  it('fails after the timeout when the series never appears, pointing at the OTLP receiver', async () => {
    server.route('/api/v1/query', file('prometheus-query-empty.json'));
    const result = await poll(0, 6_000);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'no series http_server_request_duration_seconds_count{service_name="api",http_route="/api/products"} (waited 6 s)',
    );
    expect(result.hint).toContain('--web.enable-otlp-receiver');
  });

  it('fails at once on a PromQL error, quoting Prometheus', async () => {
    server.route('/api/v1/query', file('prometheus-query-error.json', 400));
    const result = await poll(0);
    expect(result.detail).toBe('Prometheus rejected the query: invalid parameter "query": 1:15: parse error: unclosed left parenthesis');
    expect(server.requests('/api/v1/query')).toHaveLength(1);
  });

  it('fails at once on an answer that is not a Prometheus query result', async () => {
    server.route('/api/v1/query', { status: 200, body: '<html>Grafana</html>', contentType: 'text/html' });
    const result = await poll(0);
    expect(result.detail).toBe('unexpected answer from Prometheus (200): <html>Grafana</html>');
  });

  it('fails at once when Prometheus is down', async () => {
    const url = await refusedUrl();
    const result = await poll(0, 60_000, url);
    expect(result.detail).toBe(`Prometheus unreachable at ${url} (connection refused)`);
    expect(result.hint).toContain('docker compose ps prometheus');
  });
});

describe('alert rules check against /api/v1/rules?type=alert', () => {
  // The 14 alerts loaded when prometheus-rules-alert.json was recorded, written out so that a
  // fixture missing any of them fails the check instead of shrinking the expectation.
  const RECORDED = [
    'DatabaseConnectionsSaturated',
    'DependencyDown',
    'PaymentFailuresSpike',
    'ServiceDown',
    'HighErrorRate',
    'HighLatencyP95',
    'NoTraffic',
    'TrafficSpike',
    'TelemetryPipelineDropping',
    'OtelCollectorDown',
    'ApiAvailabilityFastBurn',
    'ApiAvailabilitySlowBurn',
    'ApiLatencyFastBurn',
    'ApiLatencySlowBurn',
  ];
  const expected = { names: RECORDED, files: ['alerts-http.yml', 'collector.yml'] };

  it('reads every alert name of prometheus/rules/*.yml', () => {
    const fromRepo = loadExpectedAlerts(DEFAULT_RULES_DIR);
    expect(fromRepo.names).toEqual(expect.arrayContaining(RECORDED));
    expect(fromRepo.files.length).toBeGreaterThan(0);
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
    const dir = tempDir('selfcheck-rules-');
    expect(loadExpectedAlerts(join(dir, 'absent'))).toEqual({ files: [] });
    writeFileSync(join(dir, 'broken.yml'), 'groups: [unclosed\n');
    const broken = loadExpectedAlerts(dir);
    expect(broken.error).toContain('broken.yml');
  });
});
