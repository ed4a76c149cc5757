import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseVerifyArgs } from '../../src/selfcheck/args.ts';
import { DASHBOARDS, DATASOURCES } from '../../src/selfcheck/grafana.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { exitCode, renderJson, renderTable } from '../../src/selfcheck/report.ts';
import { runSelfCheck } from '../../src/selfcheck/runner.ts';
import { fakeClock, file, FixtureServer, refusedUrl } from '../fixtures/selfcheck/server.ts';

// Ids matching the recorded Tempo trace and Loki lines (tests/fixtures/selfcheck/README.md).
const IDS = {
  traceId: '011fc3dd24eaf6f56afb089e68747c4c',
  spanId: '00f067aa0ba902b7',
  requestId: 'verify-6f1f8f0e-2f52-4a7e-9b38-0d7c1c4a9e21',
};
const STARTED = 1_795_578_450_735;
const EXPECTED = { names: ['HighErrorRate', 'OtelCollectorDown'], files: ['alerts-http.yml', 'collector.yml'] };
const client = createHttpClient(2_000);
const server = new FixtureServer();

/** Prometheus's answer for the probe route's request count: 40 earlier requests, plus each probe seen. */
const countedProbes =
  (earlier = 40) =>
  () => ({
    body: {
      status: 'success',
      data: {
        resultType: 'vector',
        result: [{ metric: {}, value: [1_795_870_850, String(earlier + server.requests('/api/products').length)] }],
      },
    },
  });

/** One server plays every backend of a healthy compose stack (their paths do not collide). */
function healthyStack(): void {
  server.route('/api/products', { body: { products: [] } });
  server.route(`/api/v2/traces/${IDS.traceId}`, [{ status: 404, body: 'trace not found' }, file('tempo-3.0.3-trace-v2-order.json')]);
  server.route('/loki/api/v1/query_range', [
    { body: { status: 'success', data: { resultType: 'streams', result: [] } } },
    file('loki-3.7.6-query-range-by-trace-id.json'),
  ]);
  server.route('/api/v1/query', countedProbes());
  server.route('/api/v1/rules', file('prometheus-rules-alert.json'));
  server.route('/api/v1/alertmanagers', file('prometheus-alertmanagers.json'));
  server.route('/api/v2/status', file('alertmanager-status.json'));
  for (const uid of Object.keys(DATASOURCES)) server.route(`/api/datasources/uid/${uid}`, file(`grafana-datasource-${uid}.json`));
  for (const uid of DASHBOARDS) server.route(`/api/dashboards/uid/${uid}`, file(`grafana-dashboard-${uid}.json`));
  server.route('/', file('collector-health.json'));
  server.route('/metrics', file('collector-metrics.txt'));
}

const optionsFor = (argv: string[], base = server.url) =>
  parseVerifyArgs([...argv, '--timeout', '20s'], {
    API_URL: base,
    PROMETHEUS_URL: base,
    TEMPO_URL: base,
    LOKI_URL: base,
    GRAFANA_URL: base,
    ALERTMANAGER_URL: base,
    COLLECTOR_HEALTH_URL: `${base}/`,
    COLLECTOR_METRICS_URL: `${base}/metrics`,
  });

const run = (argv: string[] = [], base?: string) =>
  runSelfCheck(optionsFor(argv, base), EXPECTED, { get: client.get, clock: fakeClock(STARTED), ids: IDS });

beforeAll(() => server.start());
beforeEach(() => {
  server.seen.length = 0;
  healthyStack();
});
afterAll(async () => {
  await server.close();
  await client.close();
});

describe('runSelfCheck', () => {
  it('passes every check of a healthy stack, polling until the trace and logs arrive', async () => {
    const report = await run();
    expect(report.results.map((r) => [r.id, r.status])).toEqual([
      ['probe', 'pass'],
      ['traces', 'pass'],
      ['logs', 'pass'],
      ['metrics', 'pass'],
      ['grafana-datasources', 'pass'],
      ['grafana-dashboards', 'pass'],
      ['alert-rules', 'pass'],
      ['alertmanager', 'pass'],
      ['collector-health', 'pass'],
      ['collector-pipeline', 'pass'],
    ]);
    expect(exitCode(report.results)).toBe(0);
    expect(server.requests(`/api/v2/traces/${IDS.traceId}`)).toHaveLength(2);
    expect(report.results.find((r) => r.id === 'metrics')!.detail).toBe(
      "GET /api/products count of the api rose from 40 to 41: the probe's request reached Prometheus",
    );
  });

  it('reads the request count before sending the probe, and fails the metrics row when the probe is never counted', async () => {
    server.route('/api/v1/query', (request) => {
      expect(request.query.get('query')).toContain('http_server_request_duration_seconds_count');
      return { body: { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: [1_795_870_850, '40'] }] } } };
    });
    const report = await run(['--backends', 'prometheus']);
    const first = server.seen.findIndex((r) => r.path === '/api/v1/query');
    expect(first).toBeLessThan(server.seen.findIndex((r) => r.path === '/api/products'));
    expect(report.results.find((r) => r.id === 'metrics')).toMatchObject({
      status: 'fail',
      detail: 'GET /api/products count of the api still 40 (40 before the probe) (waited 20 s)',
    });
  });

  it('sends one probe carrying the known trace id, request id and tenant', async () => {
    await run();
    const probes = server.requests('/api/products');
    expect(probes).toHaveLength(1);
    expect(probes[0]!.headers).toMatchObject({
      'x-tenant-id': 'acme',
      'x-request-id': IDS.requestId,
      traceparent: `00-${IDS.traceId}-${IDS.spanId}-01`,
    });
  });

  it('reports backends outside --backends as "not checked", never passed, and asks them nothing', async () => {
    const report = await run(['--backends', 'prometheus,alertmanager,collector']);
    const status = Object.fromEntries(report.results.map((r) => [r.id, r.status]));
    expect(status).toMatchObject({
      traces: 'not_checked',
      logs: 'not_checked',
      'grafana-datasources': 'not_checked',
      'grafana-dashboards': 'not_checked',
    });
    expect(status).toMatchObject({
      probe: 'pass',
      metrics: 'pass',
      'alert-rules': 'pass',
      alertmanager: 'pass',
      'collector-health': 'pass',
    });
    expect(exitCode(report.results)).toBe(0);
    expect(
      server.seen.some((r) => r.path.startsWith('/api/v2/traces') || r.path.startsWith('/loki') || r.path.startsWith('/api/datasources')),
    ).toBe(false);
  });

  it('sends no probe when no signal backend is checked', async () => {
    const report = await run(['--backends', 'grafana']);
    expect(report.results.find((r) => r.id === 'probe')).toMatchObject({ status: 'not_checked' });
    expect(server.requests('/api/products')).toHaveLength(0);
    expect(exitCode(report.results)).toBe(0);
  });

  it('with the api down: the probe fails and the signals are not checked (exit 1)', async () => {
    const down = await refusedUrl();
    const options = optionsFor([]);
    options.urls.api = down;
    const report = await runSelfCheck(options, EXPECTED, { get: client.get, clock: fakeClock(STARTED), ids: IDS });
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId.probe).toMatchObject({ status: 'fail', detail: `api unreachable at ${down}/api/products (connection refused)` });
    expect(byId.traces).toMatchObject({ status: 'not_checked', detail: 'no probe reached the api (see the probe row)' });
    expect(byId['grafana-dashboards']!.status).toBe('pass');
    expect(exitCode(report.results)).toBe(1);
  });

  it('still looks for the telemetry of a probe the api answered with 500', async () => {
    server.route('/api/products', { status: 500, body: { error: 'internal', message: 'boom', request_id: IDS.requestId } });
    const report = await run(['--backends', 'tempo']);
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(byId.probe).toMatchObject({ status: 'fail' });
    expect(byId.probe!.hint).toContain('/health/ready');
    expect(byId.traces!.status).toBe('pass');
  });

  it('fails the Collector row when losses happen during the check', async () => {
    server.route('/metrics', [file('collector-metrics.txt'), file('collector-metrics-failing.txt')]);
    const report = await run(['--backends', 'collector']);
    const pipeline = report.results.find((r) => r.id === 'collector-pipeline')!;
    expect(pipeline.status).toBe('fail');
    expect(pipeline.detail).toContain('during the check');
  });
});

describe('report rendering', () => {
  it('prints a table with pass / FAIL / not checked and the fix hint of every failure', async () => {
    server.route('/api/v1/query', file('prometheus-query-empty.json'));
    const report = await run(['--backends', 'prometheus,collector']);
    const text = renderTable(report);
    expect(text).toContain(`trace ${IDS.traceId}`);
    expect(text).toMatch(/metrics → Prometheus\s+│ FAIL/);
    expect(text).toMatch(/traces → Tempo\s+│ not checked/);
    expect(text).toMatch(/Collector health\s+│ pass/);
    expect(text).toContain("How to fix:\n- metrics → Prometheus: the api's metrics never reached Prometheus");
    expect(text).toContain('FAILED: 1 of 5 checks failed; 5 not checked.');
  });

  it('prints a hint shared by several failures once', async () => {
    const down = await refusedUrl();
    const options = optionsFor(['--backends', 'collector']);
    Object.assign(options.urls, { collectorHealth: `${down}/`, collectorMetrics: `${down}/metrics` });
    const text = renderTable(await runSelfCheck(options, EXPECTED, { get: client.get, clock: fakeClock(STARTED), ids: IDS }));
    expect(text).toContain('- Collector health, Collector refused/failed: the Collector is not running or not reachable');
    expect(text.match(/the Collector is not running/g)).toHaveLength(1);
  });

  it('prints the same as JSON for machines', async () => {
    const json = JSON.parse(renderJson(await run(['--backends', 'tempo'])));
    expect(json).toMatchObject({ ok: true, backends: ['tempo'], timeout_ms: 20_000 });
    expect(json.probe).toEqual({ url: `${server.url}/api/products`, tenant: 'acme', trace_id: IDS.traceId, request_id: IDS.requestId });
    expect(json.checks).toHaveLength(10);
    expect(json.checks[1]).toMatchObject({ id: 'traces', title: 'traces → Tempo', backend: 'tempo', status: 'pass' });
    expect(json.checks[2]).toMatchObject({ id: 'logs', status: 'not_checked' });
  });
});
