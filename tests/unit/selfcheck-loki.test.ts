import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { logsAttempt, probeLogQuery } from '../../src/selfcheck/loki.ts';
import { pollUntil } from '../../src/selfcheck/poll.ts';
import { fakeClock, file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

// The trace of the recorded answer (loki-3.7.6-query-range-by-trace-id.json: 4 lines of one declined
// order, 2 of the api and 2 of payments; the query selected {service_namespace="otelkit"}).
const TRACE_ID = '011fc3dd24eaf6f56afb089e68747c4c';
const RECORDED = 'loki-3.7.6-query-range-by-trace-id.json';
/** The recorded envelope with the streams `keep` selects: Loki's answer to a narrower query. */
const recorded = (keep: (stream: Record<string, string>) => boolean = () => true) => {
  const answer = JSON.parse(fixture(RECORDED));
  answer.data.result = answer.data.result.filter((s: { stream: Record<string, string> }) => keep(s.stream));
  return { body: answer };
};
const EMPTY = recorded(() => false);
const PATH = '/loki/api/v1/query_range';
const STARTED = 1_795_578_421_000;
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

const poll = (timeoutMs = 10_000, url = server.url) => {
  const clock = fakeClock(STARTED);
  return pollUntil(() => logsAttempt(client.get, url, TRACE_ID, STARTED, clock.now()), STARTED + timeoutMs, 2_000, clock);
};

describe('logs check against Loki 3.7 query_range', () => {
  it('passes when a line with the trace id is found, asking with trace_id as structured metadata', async () => {
    server.route(PATH, file(RECORDED));
    const result = await poll();
    expect(result).toMatchObject({ status: 'pass', detail: `2 line(s) with trace_id=${TRACE_ID} (request_completed, payment_failed)` });
    const [request] = server.requests(PATH);
    expect(request!.query.get('query')).toBe(`{service_name="api"} | trace_id="${TRACE_ID}"`);
    expect(request!.query.get('start')).toBe(`${STARTED - 60_000}000000`);
    expect(request!.query.get('end')).toBe(`${STARTED + 60_000}000000`);
    expect(request!.query.get('direction')).toBe('forward');
  });

  it('polls while the result is empty, then passes', async () => {
    server.route(PATH, [EMPTY, EMPTY, recorded((stream) => stream.service_name === 'api')]);
    expect((await poll()).status).toBe('pass');
    expect(server.requests(PATH)).toHaveLength(3);
  });

  it('fails after the timeout with the Loki exporter and structured-metadata hints', async () => {
    server.route(PATH, EMPTY);
    const result = await poll(8_000);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`no line with trace_id=${TRACE_ID} from service_name=api in Loki (waited 8 s)`);
    expect(result.hint).toContain('otelcol_exporter_send_failed_log_records{exporter="otlp_http/loki"}');
    expect(result.hint).toContain('allow_structured_metadata');
  });

  it('does not count lines of another trace (wrong data)', async () => {
    const other = recorded();
    for (const s of other.body.data.result) s.stream.trace_id = '00000000000000000000000000000001';
    server.route(PATH, other);
    const result = await poll(4_000);
    expect(result).toMatchObject({
      status: 'fail',
      detail: `no line with trace_id=${TRACE_ID} from service_name=api in Loki (only 4 other stream(s)) (waited 4 s)`,
    });
  });

  it('does not count lines without a trace_id: the probe must be found by its own id', async () => {
    const untagged = recorded();
    for (const s of untagged.body.data.result) delete s.stream.trace_id;
    server.route(PATH, untagged);
    expect((await poll(4_000)).status).toBe('fail');
  });

  it('does not count lines of the trace from another service', async () => {
    server.route(
      PATH,
      recorded((stream) => stream.service_name === 'payments'),
    );
    const result = await poll(4_000);
    expect(result.detail).toBe(`no line with trace_id=${TRACE_ID} from service_name=api in Loki (only 2 other stream(s)) (waited 4 s)`);
  });

  it('fails at once on a metric result instead of log streams (wrong data)', async () => {
    server.route(PATH, { body: { status: 'success', data: { resultType: 'matrix', result: [] } } });
    const result = await poll();
    expect(result.detail).toBe('Loki returned a matrix, not log streams');
  });

  it('fails at once on a 400, quoting Loki', async () => {
    server.route(PATH, { status: 400, body: 'parse error at line 1, col 22: syntax error: unexpected IDENTIFIER\n' });
    const result = await poll();
    expect(result).toMatchObject({
      status: 'fail',
      detail: 'Loki answered 400: parse error at line 1, col 22: syntax error: unexpected IDENTIFIER',
    });
  });

  it('fails at once when Loki is down (connection refused)', async () => {
    const url = await refusedUrl();
    const result = await poll(60_000, url);
    expect(result.detail).toBe(`Loki unreachable at ${url} (connection refused)`);
    expect(result.hint).toContain('docker compose ps loki');
  });

  it('builds the LogQL for another service too', () => {
    expect(probeLogQuery('abc', 'worker')).toBe('{service_name="worker"} | trace_id="abc"');
  });
});
