import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkCollectorHealth, checkCollectorPipeline, readCollectorCounters } from '../../src/selfcheck/collector.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { parsePromText } from '../../src/selfcheck/prom-text.ts';
import { file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

const client = createHttpClient(2_000);
const server = new FixtureServer();

beforeAll(() => server.start());
beforeEach(() => {
  server.seen.length = 0;
});
afterAll(async () => {
  await server.close();
  await client.close();
});

describe('Collector health (health_check extension)', () => {
  it('passes on 200 "Server available"', async () => {
    server.route('/', file('collector-health.json'));
    const result = await checkCollectorHealth(client.get, `${server.url}/`);
    expect(result).toMatchObject({ status: 'pass', detail: `${server.url}/ → 200 Server available (up 50s)` });
  });

  it('fails on 503 "Server not available"', async () => {
    server.route('/', { status: 503, body: { status: 'Server not available', upSince: '0001-01-01T00:00:00Z', uptime: '0s' } });
    const result = await checkCollectorHealth(client.get, `${server.url}/`);
    expect(result).toMatchObject({ status: 'fail', detail: `${server.url}/ → 503 Server not available (up 0s)` });
  });

  it("fails when the Collector is not running, naming its pid file and the apps' endpoint", async () => {
    const url = await refusedUrl();
    const result = await checkCollectorHealth(client.get, `${url}/`);
    expect(result.detail).toBe(`Collector unreachable at ${url}/ (connection refused)`);
    expect(result.hint).toContain('$STATE/pids/collector.pid');
    expect(result.hint).toContain('OTEL_EXPORTER_OTLP_ENDPOINT');
  });
});

describe('Collector refused/failed counters (/metrics of Collector 0.159)', () => {
  it('passes on the recorded healthy page and reports what it accepted', async () => {
    server.route('/metrics', file('collector-metrics.txt'));
    const result = await checkCollectorPipeline(client.get, `${server.url}/metrics`);
    expect(result.status).toBe('pass');
    expect(result.detail).toMatch(
      /^nothing refused or failed since the Collector started \(accepted \d+ spans, \d+ metric points, \d+ log records\)$/,
    );
  });

  it('names every failing exporter and receiver with the backend and setting to look at', async () => {
    server.route('/metrics', file('collector-metrics-failing.txt'));
    const result = await checkCollectorPipeline(client.get, `${server.url}/metrics`);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(
      'otelcol_exporter_enqueue_failed_log_records{otlp_http/loki}=4, otelcol_exporter_send_failed_spans{otlp_grpc/tempo}=3, ' +
        'otelcol_receiver_refused_log_records{otlp}=4, otelcol_receiver_refused_spans{otlp}=3 since the Collector started',
    );
    expect(result.hint).toContain('exporter otlp_grpc/tempo cannot deliver to Tempo (TEMPO_OTLP_ENDPOINT)');
    expect(result.hint).toContain('the sending queue of otlp_http/loki is full');
    expect(result.hint).toContain('memory_limiter');
  });

  it('counts only what failed during the check; older losses are mentioned, not failed', async () => {
    server.route('/metrics', file('collector-metrics-failing.txt'));
    const before = await readCollectorCounters(client.get, `${server.url}/metrics`);
    const result = await checkCollectorPipeline(client.get, `${server.url}/metrics`, before);
    expect(result.status).toBe('pass');
    expect(result.detail).toContain('nothing refused or failed during the check');
    expect(result.detail).toContain('earlier losses: otelcol_exporter_enqueue_failed_log_records{otlp_http/loki}=4');
  });

  it('fails when the metrics endpoint is unreachable', async () => {
    const result = await checkCollectorPipeline(client.get, `${await refusedUrl()}/metrics`);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/Collector metrics unreadable at .* \(connection refused\)/);
  });

  it('parses the text format: labels, escapes, comments, _total suffixes', () => {
    const samples = parsePromText(
      '# HELP x y\n# TYPE x counter\notelcol_exporter_send_failed_spans_total{exporter="otlp_grpc/tempo",error_type="a \\"b\\""} 2\nup 1 1712345678\n',
    );
    expect(samples).toEqual([
      { name: 'otelcol_exporter_send_failed_spans_total', labels: { exporter: 'otlp_grpc/tempo', error_type: 'a "b"' }, value: 2 },
      { name: 'up', labels: {}, value: 1 },
    ]);
    expect(parsePromText(fixture('collector-metrics.txt')).length).toBeGreaterThan(50);
  });
});
