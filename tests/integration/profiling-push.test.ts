/**
 * Continuous profiling with the real client (@pyroscope/nodejs) in a real api process: profiles
 * pushed to a stand-in for Pyroscope's /ingest API, decoded with a real pprof parser, and the span
 * ids of real requests (taken from the api's own request logs, cross-checked with its exported
 * spans) found in the samples' labels. Pyroscope itself is AGPL and runs only in compose.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { freePorts } from '../helpers/ports.ts';
import { PyroscopeReceiver } from '../helpers/pyroscope-receiver.ts';
import { ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { call } from '../helpers/shop-client.ts';
import { eventually } from '../helpers/telemetry.ts';

const started: ServiceProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
});

const attribute = (item: any, key: string) => item.attributes?.find((a: any) => a.key === key)?.value?.stringValue;

describe('continuous profiling (PROFILING_ENABLED=true)', () => {
  it('pushes CPU and heap pprof with service_name, and labels CPU samples with the span ids of real requests', async () => {
    const pyroscope = new PyroscopeReceiver();
    const otlp = new OtlpJsonReceiver();
    const { port } = await freePorts('port');
    const API = `http://127.0.0.1:${port}`;
    const api = new ServiceProcess('api', {
      DATABASE_URL: TEST_DATABASE_URL,
      REDIS_URL: TEST_REDIS_URL,
      PORT: String(port),
      // The traffic below lasts as long as this machine needs: never cut short by the rate limiter.
      RATE_LIMIT_PER_MINUTE: '1000000',
      PROFILING_ENABLED: 'true',
      PROFILING_SERVER_URL: await pyroscope.start(),
      // Pushes during the test too (CPU and heap), not only the final CPU profile at shutdown.
      PROFILING_FLUSH_INTERVAL_MS: '1000',
      OTEL_EXPORTER_OTLP_ENDPOINT: await otlp.start(),
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }).start();
    started.push(api);
    await waitForHttp(`${API}/health/ready`, api);
    expect(api.jsonLines().find((line) => line.message === 'profiling_started')).toBeDefined();

    // Cache-hit requests, 8 at a time, until the pushed CPU profiles hold samples of 10 requests, one
    // of them in our route handler: as long as that takes on this machine, and never (failing) if
    // samples are not labelled with their spans.
    const sampled = () => {
      const labelled = pyroscope
        .withSampleType('cpu/nanoseconds')
        .flatMap((push) => push.samples)
        .filter((sample) => sample.labels.span_id !== undefined);
      return {
        requests: new Set(labelled.map((sample) => sample.labels.span_id)).size,
        inHandler: labelled.some((sample) => sample.functions.some((fn) => fn.includes('src/http/routes/products.ts'))),
      };
    };
    let enough = false;
    const traffic = Array.from({ length: 8 }, async () => {
      while (!enough) expect((await call(API, 'GET', '/api/products')).status).toBe(200);
    });
    await eventually(sampled, ({ requests, inHandler }) => requests >= 10 && inHandler, 30_000).finally(() => (enough = true));
    await Promise.all(traffic);
    // SIGTERM: the last profile is pushed with the final telemetry flush.
    expect(await api.stop()).toBe(0);

    // The requests' span ids, from the api's request logs (trace_id/span_id of the server span).
    const requestLogs = api.jsonLines().filter((line) => line.message === 'request_completed' && line.path === '/api/products');
    const requestSpanIds = new Set(requestLogs.map((line) => String(line.span_id)));
    expect(requestSpanIds.size).toBeGreaterThanOrEqual(10);
    // The same ids on the exported server spans, each carrying pyroscope.profile.id = its span id.
    const serverSpans = otlp.spans().filter((span) => span.name === 'GET /api/products');
    expect(serverSpans.length).toBe(requestSpanIds.size);
    for (const span of serverSpans) {
      expect(requestSpanIds.has(span.spanId)).toBe(true);
      expect(attribute(span, 'pyroscope.profile.id')).toBe(span.spanId);
    }

    expect(pyroscope.rejected).toEqual([]);
    const cpu = pyroscope.withSampleType('cpu/nanoseconds');
    expect(cpu.length).toBeGreaterThan(0);
    for (const push of pyroscope.pushes) {
      const name = push.query.get('name') ?? '';
      expect(name).toMatch(/^api\{/);
      expect(name).toContain('service_name=api');
      expect(name).toContain('service_namespace=otelkit');
      expect(push.query.get('spyName')).toBe('nodespy');
      expect(Number(push.query.get('until'))).toBeGreaterThanOrEqual(Number(push.query.get('from')));
    }
    expect(cpu[0]!.sampleTypes).toEqual(['samples/count', 'wall/nanoseconds', 'cpu/nanoseconds']);
    expect(pyroscope.withSampleType('inuse_space/bytes').length).toBeGreaterThan(0);

    const samples = cpu.flatMap((push) => push.samples);
    const labelled = samples.filter((sample) => sample.labels.span_id !== undefined);
    expect(samples.reduce((sum, s) => sum + s.values['cpu/nanoseconds']!, 0)).toBeGreaterThan(0);
    // Every span-labelled sample belongs to one of our requests, under its route name (or the method
    // alone, for a sample pushed while its request was still running: the route is known at its end)...
    for (const sample of labelled) {
      expect(sample.labels.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(requestSpanIds.has(sample.labels.span_id!), `span_id ${sample.labels.span_id} is a request's`).toBe(true);
      expect(['GET /api/products', 'GET']).toContain(sample.labels.span_name);
    }
    const routeNamed = labelled.filter((sample) => sample.labels.span_name === 'GET /api/products').length;
    expect(routeNamed, `${routeNamed} of ${labelled.length} samples under the route's name`).toBeGreaterThan(labelled.length / 2);
    // ...and many requests are found: labels follow each request across its awaits (Redis calls).
    const found = new Set(labelled.map((sample) => sample.labels.span_id));
    expect(found.size, `${found.size} of ${requestSpanIds.size} requests in the profile`).toBeGreaterThanOrEqual(10);
    // The samples of a request show its code: our route handler's module is on their stacks.
    expect(labelled.some((sample) => sample.functions.some((fn) => fn.includes('src/http/routes/products.ts')))).toBe(true);

    await otlp.close();
    await pyroscope.close();
  }, 60_000);
});
