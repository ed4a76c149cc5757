import { z } from 'zod';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';

// The fields api/v2/openapi.yaml marks required that the row reads; anything else is not Alertmanager.
const statusResponse = z.object({
  cluster: z.object({ status: z.enum(['ready', 'settling', 'disabled']) }),
  versionInfo: z.object({ version: z.string() }),
});
const alertmanagersResponse = z.object({
  status: z.literal('success'),
  data: z.object({ activeAlertmanagers: z.array(z.object({ url: z.string() })) }),
});

const HINT_DOWN =
  'Alertmanager is not answering: docker compose ps alertmanager / docker compose logs alertmanager (native: $STATE/logs/alertmanager.log); ' +
  'or fix --alertmanager-url / ALERTMANAGER_URL (port 9093)';
const HINT_PROMETHEUS =
  'whether Prometheus sends alerts to Alertmanager cannot be told: see the metrics and alert-rules rows (Prometheus itself), ' +
  'or fix --prometheus-url / PROMETHEUS_URL; leave prometheus out of --backends to check Alertmanager alone';
const HINT_UNLINKED =
  'Prometheus knows no Alertmanager, so firing alerts go nowhere: alerting.alertmanagers in prometheus/prometheus.yml ' +
  '(target alertmanager:9093); check /api/v1/alertmanagers and docker compose logs prometheus';

const parseJson = (body: string): unknown => {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
};

/**
 * Alertmanager answers its status API; when Prometheus is checked too, Prometheus has it as an
 * active Alertmanager (otherwise the alert rules fire into the void). An error or malformed answer
 * from either fails the row.
 */
export async function checkAlertmanager(get: HttpGet, alertmanagerUrl: string, prometheusUrl?: string): Promise<CheckResult> {
  let answer: { status: number; body: string };
  try {
    answer = await get(join(alertmanagerUrl, '/api/v2/status'));
  } catch (error) {
    return fail('alertmanager', `Alertmanager unreachable at ${alertmanagerUrl} (${networkProblem(error)})`, HINT_DOWN);
  }
  const parsed = answer.status === 200 ? statusResponse.safeParse(parseJson(answer.body)) : undefined;
  if (!parsed?.success) return fail('alertmanager', `Alertmanager answered ${answer.status}: ${snippet(answer.body)}`, HINT_DOWN);
  const version = `Alertmanager ${parsed.data.versionInfo.version} up (cluster ${parsed.data.cluster.status})`;
  if (!prometheusUrl) return pass('alertmanager', version);
  // Prometheus is checked too: the link must be proven, so no answer or a wrong one fails the row.
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(join(prometheusUrl, '/api/v1/alertmanagers')));
  } catch (error) {
    return fail(
      'alertmanager',
      `${version}, but Prometheus's list of Alertmanagers is unreachable (${networkProblem(error)})`,
      HINT_PROMETHEUS,
    );
  }
  let active: string[];
  try {
    active = alertmanagersResponse.parse(parseJson(body)).data.activeAlertmanagers.map((a) => a.url);
  } catch {
    return fail('alertmanager', `${version}, but /api/v1/alertmanagers answered ${status}: ${snippet(body)}`, HINT_PROMETHEUS);
  }
  if (active.length === 0) return fail('alertmanager', `${version}, but Prometheus has no active Alertmanager`, HINT_UNLINKED);
  return pass('alertmanager', `${version}; Prometheus sends to ${active.join(', ')}`);
}
