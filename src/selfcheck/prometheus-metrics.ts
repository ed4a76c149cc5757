import { z } from 'zod';
import { fail, join, pass, snippet } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import type { Attempt } from './poll.ts';
import { PROBE_PATH } from './probe.ts';

/** Newest sample of the api's request-duration series for the probe's route. */
export const PROBE_METRIC_QUERY = `max(timestamp(http_server_request_duration_seconds_count{service_name="api",http_route="${PROBE_PATH}"}))`;

/** Clock skew allowed between this machine and the api (the sample time is the SDK's collection time). */
export const FRESHNESS_SLACK_MS = 2_000;

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
  'metrics stopped flowing: the series exists but no sample arrived since the probe (the SDK exports every 10 s). ' +
  'Is the Collector running (Collector rows below)? Then otelcol_exporter_send_failed_metric_points{exporter="otlp_http/prometheus"}, ' +
  'and in the api log OTLP export errors ("14 UNAVAILABLE"); docs/troubleshooting.md § Metrics';

/** One instant query: has a sample of the probe route been written since the probe was sent? */
export async function metricsAttempt(get: HttpGet, prometheusUrl: string, startedMs: number): Promise<Attempt> {
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(`${join(prometheusUrl, '/api/v1/query')}?${new URLSearchParams({ query: PROBE_METRIC_QUERY })}`));
  } catch (error) {
    return {
      done: true,
      result: fail('metrics', `Prometheus unreachable at ${prometheusUrl} (${networkProblem(error)})`, PROMETHEUS_DOWN_HINT),
    };
  }
  let parsed: z.infer<typeof queryResponse>;
  try {
    parsed = queryResponse.parse(JSON.parse(body));
  } catch {
    return { done: true, result: fail('metrics', `unexpected answer from Prometheus (${status}): ${snippet(body)}`, PROMETHEUS_DOWN_HINT) };
  }
  if (parsed.status === 'error') {
    return { done: true, result: fail('metrics', `Prometheus rejected the query: ${parsed.error}`, PROMETHEUS_DOWN_HINT) };
  }
  const newest = parsed.data.result[0]?.value[1];
  if (newest === undefined) {
    return {
      done: false,
      result: fail(
        'metrics',
        `no series http_server_request_duration_seconds_count{service_name="api",http_route="${PROBE_PATH}"}`,
        HINT_NO_SERIES,
      ),
    };
  }
  const lagSeconds = (Number(newest) * 1000 - startedMs) / 1000;
  if (Number(newest) * 1000 < startedMs - FRESHNESS_SLACK_MS) {
    return { done: false, result: fail('metrics', `newest api sample is ${Math.round(-lagSeconds)} s older than the probe`, HINT_STALE) };
  }
  const when = lagSeconds >= 0 ? `${lagSeconds.toFixed(1)} s after` : `${(-lagSeconds).toFixed(1)} s before`;
  return { done: true, result: pass('metrics', `api request metrics for ${PROBE_PATH} are flowing: newest sample ${when} the probe`) };
}
