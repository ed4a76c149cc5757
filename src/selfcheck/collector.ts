import { fail, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import { parsePromText } from './prom-text.ts';

const HINT_DOWN =
  'the Collector is not running or not reachable: docker compose ps otel-collector / docker compose logs otel-collector ' +
  '(native: $STATE/pids/collector.pid, log $STATE/logs/collector.log); without it no trace, log or metric leaves the apps ' +
  '(OTEL_EXPORTER_OTLP_ENDPOINT); docs/troubleshooting.md § The Collector itself';

/** Counters whose increase means data was lost; a name with or without the _total suffix matches. */
const LOSS =
  /^otelcol_(receiver_refused|receiver_failed|exporter_send_failed|exporter_enqueue_failed|processor_refused|processor_dropped)_(spans|metric_points|log_records)/;
const ACCEPTED = /^otelcol_receiver_accepted_(spans|metric_points|log_records)/;

/** Where each exporter of collector/config.yaml delivers, and the setting that points there. */
const EXPORTERS: Record<string, string> = {
  'otlp_grpc/tempo': 'Tempo (TEMPO_OTLP_ENDPOINT)',
  'otlp_http/loki': 'Loki (LOKI_OTLP_ENDPOINT, …/otlp; Loki needs allow_structured_metadata)',
  'otlp_http/prometheus': 'Prometheus (PROMETHEUS_OTLP_ENDPOINT, …/api/v1/otlp; Prometheus needs --web.enable-otlp-receiver)',
};

/** Loss and intake counters keyed by `name{component}`, summed over other labels. */
export type CollectorCounters = Map<string, number>;

export async function readCollectorCounters(get: HttpGet, metricsUrl: string): Promise<CollectorCounters> {
  const { status, body } = await get(metricsUrl);
  if (status !== 200) throw new Error(`answered ${status}: ${snippet(body, 60)}`);
  const counters: CollectorCounters = new Map();
  for (const s of parsePromText(body)) {
    if (!LOSS.test(s.name) && !ACCEPTED.test(s.name)) continue;
    const component = s.labels.exporter ?? s.labels.receiver ?? s.labels.processor ?? '';
    const key = `${s.name.replace(/_total$/, '')}{${component}}`;
    counters.set(key, (counters.get(key) ?? 0) + s.value);
  }
  return counters;
}

/** The health_check extension's own words ({"status":"Server available",…}), else the body's start. */
function healthStatus(body: string): string {
  try {
    const { status, uptime } = JSON.parse(body) as { status?: string; uptime?: string };
    if (status) return uptime ? `${status} (up ${uptime.replace(/\.\d+s$/, 's')})` : status;
  } catch {
    // not JSON: show it as it is
  }
  return snippet(body, 80);
}

/** The health_check extension answers 200 ("Server available"). */
export async function checkCollectorHealth(get: HttpGet, healthUrl: string): Promise<CheckResult> {
  try {
    const { status, body } = await get(healthUrl);
    if (status === 200) return pass('collector-health', `${healthUrl} → 200 ${healthStatus(body)}`);
    return fail('collector-health', `${healthUrl} → ${status} ${healthStatus(body)}`, `the Collector is up but not ready: ${HINT_DOWN}`);
  } catch (error) {
    return fail('collector-health', `Collector unreachable at ${healthUrl} (${networkProblem(error)})`, HINT_DOWN);
  }
}

function hintFor(key: string): string {
  const component = /\{(.*)\}$/.exec(key)?.[1] ?? '';
  if (key.includes('exporter_send_failed')) {
    return `exporter ${component} cannot deliver to ${EXPORTERS[component] ?? 'its backend'}: is that backend up? Its endpoint is exporters.${component} in collector/config.yaml; the reason is in the Collector log`;
  }
  if (key.includes('exporter_enqueue_failed')) {
    return `the sending queue of ${component} is full and data is dropped: fix ${EXPORTERS[component] ?? 'its backend'} first (sending_queue.queue_size in collector/config.yaml)`;
  }
  return 'the Collector refuses data (memory_limiter): usually a backend is down and queues grew; compare otelcol_exporter_queue_size with otelcol_exporter_queue_capacity (docs/troubleshooting.md § The Collector itself)';
}

/**
 * Nothing refused, failed or dropped while the check ran (counters read before the probe and
 * now). Losses from before the check are mentioned but do not fail it: counters never reset.
 */
export async function checkCollectorPipeline(get: HttpGet, metricsUrl: string, before?: CollectorCounters): Promise<CheckResult> {
  let after: CollectorCounters;
  try {
    after = await readCollectorCounters(get, metricsUrl);
  } catch (error) {
    return fail('collector-pipeline', `Collector metrics unreadable at ${metricsUrl} (${networkProblem(error)})`, HINT_DOWN);
  }
  const delta = (key: string) => {
    const now = after.get(key) ?? 0;
    const then = before?.get(key) ?? 0;
    return now >= then ? now - then : now; // lower than before: the Collector restarted
  };
  const lost = [...after.keys()].filter((k) => LOSS.test(k) && delta(k) > 0);
  const earlier = [...after.keys()].filter((k) => LOSS.test(k) && (after.get(k) ?? 0) > 0 && delta(k) === 0);
  const window = before ? 'during the check' : 'since the Collector started';
  if (lost.length > 0) {
    const detail = lost.map((k) => `${k}=${delta(k)}`).join(', ');
    return fail('collector-pipeline', `${detail} ${window}`, [...new Set(lost.map(hintFor))].join('; '));
  }
  const intake = ['spans', 'metric_points', 'log_records']
    .map((signal) => {
      const total = [...after.keys()]
        .filter((k) => k.startsWith(`otelcol_receiver_accepted_${signal}`))
        .reduce((sum, k) => sum + delta(k), 0);
      return `${total} ${signal.replace('_', ' ')}`;
    })
    .join(', ');
  const past = earlier.length > 0 ? `; earlier losses: ${earlier.map((k) => `${k}=${after.get(k)}`).join(', ')}` : '';
  return pass('collector-pipeline', `nothing refused or failed ${window} (accepted ${intake})${past}`);
}
