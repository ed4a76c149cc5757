import { z } from 'zod';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import type { Attempt } from './poll.ts';
import { PROBE_PATH } from './probe.ts';

/**
 * The api's own request counter for the probe's route, summed over instances and statuses. The
 * probe reads it before and after its request: only a rise proves a request was counted and
 * exported since (a series' newest sample keeps moving without any request, because the SDK
 * re-exports cumulative counts every interval).
 */
export const PROBE_COUNT_QUERY = `sum(http_server_request_duration_seconds_count{service_name="api",http_route="${PROBE_PATH}",http_request_method="GET"})`;

const queryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.object({ resultType: z.string(), result: z.array(z.object({ value: z.tuple([z.number(), z.string()]) })) }),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string() }),
]);

/** Prometheus down or unreadable: shared by the metrics and alert-rule checks. */
export const PROMETHEUS_DOWN_HINT =
  'Prometheus is not answering: docker compose ps prometheus / docker compose logs prometheus (native stack: ' +
  'scripts/native-stack.sh status, log in $STATE/logs/prometheus.log); or fix --prometheus-url / PROMETHEUS_URL (port 9090)';
const HINT_NO_SERIES =
  "the api's metrics never reached Prometheus: is the Collector up (Collector rows below)? Look at " +
  'otelcol_exporter_send_failed_metric_points{exporter="otlp_http/prometheus"} and PROMETHEUS_OTLP_ENDPOINT (…/api/v1/otlp); ' +
  'Prometheus needs --web.enable-otlp-receiver and otlp.promote_resource_attributes (service_name) in prometheus/prometheus.yml; ' +
  'docs/troubleshooting.md § Metrics';
const HINT_STALE =
  "the api's request counter did not rise after the probe: its metrics stopped reaching Prometheus (the SDK exports every 10 s). " +
  'Is the Collector running (Collector rows below)? Then otelcol_exporter_send_failed_metric_points{exporter="otlp_http/prometheus"}, ' +
  'and in the api log OTLP export errors ("telemetry export failed: connect ECONNREFUSED"); docs/troubleshooting.md § Metrics';

const SERIES = `http_server_request_duration_seconds_count{service_name="api",http_route="${PROBE_PATH}"}`;

/** The probe route's request count (0 while the series does not exist), or the failed row when Prometheus cannot tell. */
export async function readProbeCount(
  get: HttpGet,
  prometheusUrl: string,
): Promise<{ count: number; series: boolean } | { result: CheckResult }> {
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(`${join(prometheusUrl, '/api/v1/query')}?${new URLSearchParams({ query: PROBE_COUNT_QUERY })}`));
  } catch (error) {
    return { result: fail('metrics', `Prometheus unreachable at ${prometheusUrl} (${networkProblem(error)})`, PROMETHEUS_DOWN_HINT) };
  }
  let parsed: z.infer<typeof queryResponse>;
  try {
    parsed = queryResponse.parse(JSON.parse(body));
  } catch {
    return { result: fail('metrics', `unexpected answer from Prometheus (${status}): ${snippet(body)}`, PROMETHEUS_DOWN_HINT) };
  }
  if (parsed.status === 'error') return { result: fail('metrics', `Prometheus rejected the query: ${parsed.error}`, PROMETHEUS_DOWN_HINT) };
  const value = parsed.data.result[0]?.value[1];
  if (value === undefined) return { count: 0, series: false };
  const count = Number(value);
  if (!Number.isFinite(count)) return { result: fail('metrics', `Prometheus answered a count of "${value}"`, PROMETHEUS_DOWN_HINT) };
  return { count, series: true };
}

/** One instant query: has the probe route's request count risen above its value before the probe? */
export async function metricsAttempt(get: HttpGet, prometheusUrl: string, before: number): Promise<Attempt> {
  const read = await readProbeCount(get, prometheusUrl);
  if ('result' in read) return { done: true, result: read.result };
  if (!read.series) return { done: false, result: fail('metrics', `no series ${SERIES}`, HINT_NO_SERIES) };
  if (read.count <= before) {
    return {
      done: false,
      result: fail('metrics', `GET ${PROBE_PATH} count of the api still ${read.count} (${before} before the probe)`, HINT_STALE),
    };
  }
  return {
    done: true,
    result: pass(
      'metrics',
      `GET ${PROBE_PATH} count of the api rose from ${before} to ${read.count}: the probe's request reached Prometheus`,
    ),
  };
}
