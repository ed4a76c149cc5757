import { z } from 'zod';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';

const statusResponse = z.object({
  cluster: z.object({ status: z.string() }),
  versionInfo: z.object({ version: z.string() }).partial().default({}),
});
const alertmanagersResponse = z.object({
  status: z.literal('success'),
  data: z.object({ activeAlertmanagers: z.array(z.object({ url: z.string() })) }),
});

const HINT_DOWN =
  'Alertmanager is not answering: docker compose ps alertmanager / docker compose logs alertmanager (native: $STATE/logs/alertmanager.log); ' +
  'or fix --alertmanager-url / ALERTMANAGER_URL (port 9093)';
const HINT_UNLINKED =
  'Prometheus knows no Alertmanager, so firing alerts go nowhere: alerting.alertmanagers in prometheus/prometheus.yml ' +
  '(target alertmanager:9093); check /api/v1/alertmanagers and docker compose logs prometheus';

/**
 * Alertmanager answers its status API; when Prometheus is checked too, Prometheus has it as an
 * active Alertmanager (otherwise the alert rules fire into the void).
 */
export async function checkAlertmanager(get: HttpGet, alertmanagerUrl: string, prometheusUrl?: string): Promise<CheckResult> {
  let version: string;
  try {
    const { status, body } = await get(join(alertmanagerUrl, '/api/v2/status'));
    const parsed = status === 200 ? statusResponse.safeParse(JSON.parse(body)) : undefined;
    if (!parsed?.success) return fail('alertmanager', `Alertmanager answered ${status}: ${snippet(body)}`, HINT_DOWN);
    const { versionInfo, cluster } = parsed.data;
    version = `Alertmanager${versionInfo.version ? ` ${versionInfo.version}` : ''} up (cluster ${cluster.status})`;
  } catch (error) {
    const problem = error instanceof SyntaxError ? 'answer is not JSON' : networkProblem(error);
    return fail('alertmanager', `Alertmanager unreachable at ${alertmanagerUrl} (${problem})`, HINT_DOWN);
  }
  if (!prometheusUrl) return pass('alertmanager', version);
  try {
    const { body } = await get(join(prometheusUrl, '/api/v1/alertmanagers'));
    const parsed = alertmanagersResponse.parse(JSON.parse(body));
    const active = parsed.data.activeAlertmanagers.map((a) => a.url);
    if (active.length === 0) return fail('alertmanager', `${version}, but Prometheus has no active Alertmanager`, HINT_UNLINKED);
    return pass('alertmanager', `${version}; Prometheus sends to ${active.join(', ')}`);
  } catch {
    // Prometheus being down is reported by its own rows; here only Alertmanager itself counts.
    return pass('alertmanager', `${version} (Prometheus's link to it not checked: Prometheus did not answer)`);
  }
}
