import { z } from 'zod';
import type { ExpectedAlerts } from './alert-names.ts';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';
import { PROMETHEUS_DOWN_HINT } from './prometheus-metrics.ts';

const rulesResponse = z.object({
  status: z.literal('success'),
  data: z.object({
    groups: z.array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ name: z.string(), type: z.string(), health: z.string().optional(), lastError: z.string().optional() })),
      }),
    ),
  }),
});

const HINT_MISSING =
  'Prometheus did not load these rules: rule_files (rules/*.yml) in prometheus/prometheus.yml and the ./prometheus/rules mount ' +
  'in docker-compose.yml; validate with promtool check rules prometheus/rules/*.yml, then reload (POST /-/reload) or restart; ' +
  'docker compose logs prometheus shows the load error';
const HINT_BROKEN = 'a rule fails to evaluate: fix its expr in prometheus/rules (promtool test rules prometheus/tests/*.yml)';

const list = (names: string[], max = 5) =>
  names.length > max ? `${names.slice(0, max).join(', ')} +${names.length - max} more` : names.join(', ');

/** Every alert defined in the rule files is loaded (and none is failing); without files, at least one alert. */
export async function checkAlertRules(get: HttpGet, prometheusUrl: string, expected: ExpectedAlerts): Promise<CheckResult> {
  if (expected.error) return fail('alert-rules', `cannot read the rule files: ${expected.error}`, 'fix the YAML (promtool check rules)');
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(`${join(prometheusUrl, '/api/v1/rules')}?type=alert`));
  } catch (error) {
    return fail('alert-rules', `Prometheus unreachable at ${prometheusUrl} (${networkProblem(error)})`, PROMETHEUS_DOWN_HINT);
  }
  let parsed: z.infer<typeof rulesResponse>;
  try {
    parsed = rulesResponse.parse(JSON.parse(body));
  } catch {
    return fail('alert-rules', `unexpected answer from Prometheus (${status}): ${snippet(body)}`, PROMETHEUS_DOWN_HINT);
  }
  const alerts = parsed.data.groups.flatMap((g) => g.rules).filter((r) => r.type === 'alerting');
  const loaded = new Set(alerts.map((r) => r.name));
  const broken = alerts.filter((r) => r.health === 'err');
  if (expected.names) {
    const missing = expected.names.filter((name) => !loaded.has(name));
    if (missing.length > 0) {
      return fail('alert-rules', `${missing.length} of ${expected.names.length} alerts not loaded: ${list(missing)}`, HINT_MISSING);
    }
  } else if (alerts.length === 0) {
    return fail('alert-rules', 'Prometheus has no alerting rule loaded (no rule files to compare with)', HINT_MISSING);
  }
  if (broken.length > 0) {
    return fail(
      'alert-rules',
      `${broken.length} alert(s) failing: ${list(
        broken.map((r) => `${r.name}: ${r.lastError ?? 'error'}`),
        2,
      )}`,
      HINT_BROKEN,
    );
  }
  const against = expected.names
    ? `all ${expected.names.length} alerts of ${expected.files.length} rule files`
    : `${alerts.length} alerts (no rule files to compare with)`;
  return pass('alert-rules', `${against} loaded in ${parsed.data.groups.length} groups`);
}
