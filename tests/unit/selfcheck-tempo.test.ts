import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { pollUntil } from '../../src/selfcheck/poll.ts';
import { traceIdHex, tracesAttempt } from '../../src/selfcheck/tempo.ts';
import { fakeClock, file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

// The recorded trace (tempo-3.0.3-trace-v2-order.json): one declined POST /api/orders, 15 api
// spans, 1 loadgen and 1 payments span; Tempo writes its span trace ids in base64.
const TRACE_ID = '011fc3dd24eaf6f56afb089e68747c4c';
const RECORDED = 'tempo-3.0.3-trace-v2-order.json';
type Answer = {
  trace: {
    resourceSpans: Array<{
      resource: { attributes: Array<{ key: string; value: { stringValue?: string } }> };
      scopeSpans: Array<{ spans: Array<{ traceId: string }> }>;
    }>;
  };
};
/** The recorded answer, changed by `edit` (to play wrong data Tempo could return). */
const recorded = (edit: (answer: Answer) => void = () => {}) => {
  const answer = JSON.parse(fixture(RECORDED)) as Answer;
  edit(answer);
  return { body: answer };
};
const service = (rs: Answer['trace']['resourceSpans'][number]) =>
  rs.resource.attributes.find((a) => a.key === 'service.name')?.value.stringValue;
const PATH = `/api/v2/traces/${TRACE_ID}`;
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

const poll = (timeoutMs = 10_000) => {
  const clock = fakeClock(1_000_000);
  return pollUntil(() => tracesAttempt(client.get, server.url, TRACE_ID), clock.now() + timeoutMs, 2_000, clock);
};

describe('traces check against Tempo 3.0 trace-by-id v2', () => {
  it('passes when the trace holds spans of service.name=api', async () => {
    server.route(PATH, file(RECORDED));
    const result = await poll();
    expect(result.status).toBe('pass');
    expect(result.detail).toBe(`trace ${TRACE_ID}: 15 span(s) of api, server span "POST /api/orders"`);
    expect(server.requests(PATH)).toHaveLength(1);
  });

  it('keeps polling while Tempo answers 404, then passes', async () => {
    server.route(PATH, [{ status: 404, body: 'trace not found' }, { status: 404, body: 'trace not found' }, file(RECORDED)]);
    const result = await poll();
    expect(result.status).toBe('pass');
    expect(server.requests(PATH)).toHaveLength(3);
  });

  it('fails after the timeout when the trace never arrives, naming the Collector exporter to look at', async () => {
    server.route(PATH, { status: 404, body: 'trace not found' });
    const result = await poll(10_000);
    expect(result.status).toBe('fail');
    expect(result.detail).toMatch(/not found in Tempo \(waited \d+ s\)/);
    expect(result.hint).toContain('otelcol_exporter_send_failed_spans{exporter="otlp_grpc/tempo"}');
    expect(result.hint).toContain('docs/troubleshooting.md § Traces');
    expect(server.requests(PATH).length).toBeGreaterThan(3);
  });

  it('treats an empty trace (200 without spans) as not there yet', async () => {
    server.route(PATH, [{ body: { trace: {}, metrics: {} } }, file(RECORDED)]);
    expect((await poll()).status).toBe('pass');
  });

  it('fails with a precise hint when the trace has no api span (wrong data)', async () => {
    server.route(
      PATH,
      recorded((a) => (a.trace.resourceSpans = a.trace.resourceSpans.filter((rs) => service(rs) !== 'api'))),
    );
    const result = await poll(6_000);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('no span of service.name=api (only: loadgen, payments)');
    expect(result.hint).toContain('OTEL_SERVICE_NAME');
  });

  it("reads Tempo's base64 span trace ids (and hex ones) as the probe's hex id", () => {
    expect(traceIdHex('AR/D3STq9vVq+wieaHR8TA==')).toBe(TRACE_ID);
    expect(traceIdHex('011FC3DD24EAF6F56AFB089E68747C4C')).toBe(TRACE_ID);
  });

  it("fails at once when the spans belong to another trace (the answer is not for the probe's id)", async () => {
    const other = Buffer.from('0123456789abcdef0123456789abcdef', 'hex').toString('base64');
    server.route(
      PATH,
      recorded((a) => a.trace.resourceSpans.forEach((rs) => rs.scopeSpans.forEach((ss) => ss.spans.forEach((s) => (s.traceId = other))))),
    );
    const result = await poll();
    expect(result).toMatchObject({ status: 'fail', detail: `Tempo answered for ${TRACE_ID} with 17 span(s) of other traces` });
  });

  it('fails at once when Tempo is down (connection refused)', async () => {
    const url = await refusedUrl();
    const clock = fakeClock(0);
    const result = await pollUntil(() => tracesAttempt(client.get, url, TRACE_ID), 60_000, 2_000, clock);
    expect(result.status).toBe('fail');
    expect(result.detail).toBe(`Tempo unreachable at ${url} (connection refused)`);
    expect(result.hint).toContain('docker compose ps tempo');
    expect(clock.slept).toEqual([]);
  });

  it('fails at once on an error answer, quoting it', async () => {
    server.route(PATH, { status: 500, body: 'rpc error: code = Unavailable desc = no healthy querier' });
    const result = await poll();
    expect(result.status).toBe('fail');
    expect(result.detail).toBe('Tempo answered 500: rpc error: code = Unavailable desc = no healthy querier');
  });

  it('fails at once when the URL is not a Tempo query API', async () => {
    server.route(PATH, { status: 200, body: '<html>Grafana</html>', contentType: 'text/html' });
    const result = await poll();
    expect(result.status).toBe('fail');
    expect(result.detail).toContain('unexpected answer');
  });
});
