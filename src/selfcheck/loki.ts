import { z } from 'zod';
import { fail, join, pass, snippet } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import type { Attempt } from './poll.ts';

// query_range answer for a log query. Without the categorize-labels encoding flag, Loki 3 merges
// structured metadata (trace_id, request_id, …) into each stream's labels.
const rangeResponse = z.object({
  status: z.string(),
  data: z.object({
    resultType: z.string(),
    result: z.array(
      z.object({ stream: z.record(z.string(), z.string()).default({}), values: z.array(z.tuple([z.string(), z.string()], z.unknown())) }),
    ),
  }),
});

const HINT_DOWN =
  'Loki is not answering: docker compose ps loki / docker compose logs loki (native stack: Loki does not run there, ' +
  'use --backends without loki); or fix --loki-url / LOKI_URL (port 3100)';
const HINT_MISSING =
  'no log line of the probe reached Loki: is the Collector up (Collector rows below)? Look at otelcol_exporter_sent_log_records and ' +
  'otelcol_exporter_send_failed_log_records{exporter="otlp_http/loki"} and LOKI_OTLP_ENDPOINT (…/otlp) in collector/config.yaml; ' +
  'the api sends OTLP logs only with --import ./src/instrumentation.ts; trace_id needs allow_structured_metadata in loki/loki.yaml; ' +
  'docs/troubleshooting.md § Logs';

/** The LogQL that finds the probe's lines: trace_id is OTLP structured metadata in Loki 3. */
export function probeLogQuery(traceId: string, service = 'api'): string {
  return `{service_name="${service}"} | trace_id="${traceId}"`;
}

/** Nanosecond epoch as Loki wants it, from milliseconds, without float rounding. */
const nanos = (ms: number) => `${Math.round(ms)}000000`;

/** One look in Loki for lines carrying the probe's trace id, around the probe's time. */
export async function logsAttempt(
  get: HttpGet,
  lokiUrl: string,
  traceId: string,
  startedMs: number,
  nowMs: number,
  service = 'api',
): Promise<Attempt> {
  const params = new URLSearchParams({
    query: probeLogQuery(traceId, service),
    // A minute either side: container clocks drift, and the batch may carry an older timestamp.
    start: nanos(startedMs - 60_000),
    end: nanos(nowMs + 60_000),
    limit: '100',
    direction: 'forward',
  });
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(`${join(lokiUrl, '/loki/api/v1/query_range')}?${params}`));
  } catch (error) {
    return { done: true, result: fail('logs', `Loki unreachable at ${lokiUrl} (${networkProblem(error)})`, HINT_DOWN) };
  }
  if (status !== 200) {
    return { done: true, result: fail('logs', `Loki answered ${status}: ${snippet(body)}`, `${HINT_DOWN}; docker compose logs loki`) };
  }
  let parsed: z.infer<typeof rangeResponse>;
  try {
    parsed = rangeResponse.parse(JSON.parse(body));
  } catch {
    return { done: true, result: fail('logs', `unexpected answer from Loki: ${snippet(body)}`, HINT_DOWN) };
  }
  if (parsed.data.resultType !== 'streams') {
    return { done: true, result: fail('logs', `Loki returned a ${parsed.data.resultType}, not log streams`, HINT_DOWN) };
  }
  // Only lines that carry the probe's own trace id (and come from the service asked for) count: a
  // line without trace_id, or with another one, means the filter did not apply or the data is wrong.
  const streams = parsed.data.result.filter(
    (s) => s.stream.trace_id === traceId && (s.stream.service_name === undefined || s.stream.service_name === service),
  );
  const lines = streams.flatMap((s) => s.values.map((v) => v[1]));
  if (lines.length === 0) {
    const others = parsed.data.result.length;
    const seen = others > 0 ? ` (only ${others} other stream(s))` : '';
    return {
      done: false,
      result: fail('logs', `no line with trace_id=${traceId} from service_name=${service} in Loki${seen}`, HINT_MISSING),
    };
  }
  const events = [...new Set(lines)].slice(0, 3).join(', ');
  return { done: true, result: pass('logs', `${lines.length} line(s) with trace_id=${traceId} (${events})`) };
}
