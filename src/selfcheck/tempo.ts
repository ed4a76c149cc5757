import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import { z } from 'zod';
import { fail, join, pass, snippet } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import type { Attempt } from './poll.ts';

// Tempo's trace-by-id v2 answer: {"trace": {"resourceSpans": [...]}, "status"?, "message"?, "metrics"?}.
// Only what the check reads is declared; everything else passes through untouched.
const attribute = z.object({ key: z.string(), value: z.record(z.string(), z.unknown()) });
const resourceSpans = z.object({
  resource: z.object({ attributes: z.array(attribute).default([]) }).default({ attributes: [] }),
  scopeSpans: z
    .array(
      z.object({
        spans: z.array(z.object({ traceId: z.string().optional(), name: z.string(), kind: z.unknown().optional() })).default([]),
      }),
    )
    .default([]),
});
const traceResponse = z.object({
  trace: z.object({ resourceSpans: z.array(resourceSpans).default([]) }).default({ resourceSpans: [] }),
  status: z.string().optional(),
});

const HINT_DOWN =
  'Tempo is not answering: docker compose ps tempo / docker compose logs tempo (native stack: Tempo does not run there, ' +
  'use --backends without tempo); or fix --tempo-url / TEMPO_URL (query API, port 3200)';
const HINT_MISSING =
  'the trace never reached Tempo: is the Collector up (Collector rows below)? Look at otelcol_exporter_sent_spans and ' +
  'otelcol_exporter_send_failed_spans{exporter="otlp_grpc/tempo"} and TEMPO_OTLP_ENDPOINT in collector/config.yaml; ' +
  'does the api export traces (OTEL_EXPORTER_OTLP_ENDPOINT, no "telemetry export failed" in docker compose logs api)? docs/troubleshooting.md § Traces';
const HINT_NO_API =
  "the trace exists but holds no span of service.name=api: the api did not continue the probe's traceparent or exports " +
  'under another name (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES); docs/troubleshooting.md § Traces';

function serviceName(rs: z.infer<typeof resourceSpans>): string {
  const value = rs.resource.attributes.find((a) => a.key === ATTR_SERVICE_NAME)?.value;
  return typeof value?.stringValue === 'string' ? value.stringValue : '(no service.name)';
}

/** Tempo 3 writes span trace ids in base64 (gogo jsonpb of bytes), OTLP JSON in hex: both as lowercase hex. */
export function traceIdHex(id: string | undefined): string | undefined {
  if (id === undefined) return undefined;
  return /^[0-9a-f]{32}$/i.test(id) ? id.toLowerCase() : Buffer.from(id, 'base64').toString('hex');
}

/** One look in Tempo for the probe's trace: found with a span of `service`, not yet, or broken. */
export async function tracesAttempt(get: HttpGet, tempoUrl: string, traceId: string, service = 'api'): Promise<Attempt> {
  const url = join(tempoUrl, `/api/v2/traces/${traceId}`);
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(url, { accept: 'application/json' }));
  } catch (error) {
    return { done: true, result: fail('traces', `Tempo unreachable at ${tempoUrl} (${networkProblem(error)})`, HINT_DOWN) };
  }
  const missing = { done: false, result: fail('traces', `trace ${traceId} not found in Tempo`, HINT_MISSING) };
  if (status === 404) return missing;
  if (status !== 200) {
    return { done: true, result: fail('traces', `Tempo answered ${status}: ${snippet(body)}`, `${HINT_DOWN}; docker compose logs tempo`) };
  }
  let parsed: z.infer<typeof traceResponse>;
  try {
    parsed = traceResponse.parse(JSON.parse(body));
  } catch {
    return { done: true, result: fail('traces', `unexpected answer from ${url}: ${snippet(body)}`, HINT_DOWN) };
  }
  const byService = new Map<string, Array<{ name: string; kind?: unknown }>>();
  let foreign = 0;
  for (const rs of parsed.trace.resourceSpans) {
    const all = rs.scopeSpans.flatMap((ss) => ss.spans);
    // Only spans of the probe's own trace count: anything else means the answer is not for this id.
    const spans = all.filter((span) => traceIdHex(span.traceId) === traceId);
    foreign += all.length - spans.length;
    if (spans.length > 0) byService.set(serviceName(rs), [...(byService.get(serviceName(rs)) ?? []), ...spans]);
  }
  if (byService.size === 0 && foreign > 0) {
    return { done: true, result: fail('traces', `Tempo answered for ${traceId} with ${foreign} span(s) of other traces`, HINT_DOWN) };
  }
  if (byService.size === 0) return missing;
  const mine = byService.get(service);
  if (!mine) {
    const others = [...byService.keys()].join(', ');
    return {
      done: false,
      result: fail('traces', `trace ${traceId} found, but no span of service.name=${service} (only: ${others})`, HINT_NO_API),
    };
  }
  const partial = parsed.status === 'PARTIAL' ? ' (Tempo says partial)' : '';
  // The server span names the request; Tempo writes kinds as enum names, OTLP JSON as numbers.
  const server = mine.find((s) => s.kind === 'SPAN_KIND_SERVER' || s.kind === 2);
  const names = server ? `server span "${server.name}"` : `e.g. "${mine[0]!.name}"`;
  return { done: true, result: pass('traces', `trace ${traceId}: ${mine.length} span(s) of ${service}, ${names}${partial}`) };
}
