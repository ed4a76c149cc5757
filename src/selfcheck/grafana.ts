import { z } from 'zod';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';

/** Provisioned data sources: uid → plugin type (grafana/provisioning/datasources/otelkit.yaml). */
export const DATASOURCES: Record<string, string> = { prometheus: 'prometheus', tempo: 'tempo', loki: 'loki', alertmanager: 'alertmanager' };
/** Provisioned dashboards (grafana/dashboards/*.json) and their folder. */
export const DASHBOARDS = ['otelkit-red', 'otelkit-resource', 'otelkit-business', 'otelkit-pipeline', 'otelkit-errors'];
export const FOLDER = 'otelkit';

export interface GrafanaAuth {
  user: string;
  password: string;
}

const datasource = z.object({ uid: z.string(), name: z.string(), type: z.string() });
const dashboard = z.object({
  dashboard: z.object({ uid: z.string(), title: z.string().optional() }),
  meta: z.object({ provisioned: z.boolean().optional(), folderTitle: z.string().optional(), folderUid: z.string().optional() }),
});

const HINT_DOWN =
  'Grafana is not answering: docker compose ps grafana / docker compose logs grafana (native stack: Grafana does not run there, ' +
  'use --backends without grafana); or fix --grafana-url / GRAFANA_URL (port 3000)';
const HINT_AUTH =
  'Grafana rejected the login: set GRAFANA_USER / GRAFANA_PASSWORD (or --grafana-user/--grafana-password) to ' +
  'GRAFANA_ADMIN_USER / GRAFANA_ADMIN_PASSWORD from .env (default admin/admin; a password changed in the UI wins over .env)';
const HINT_DATASOURCES =
  'data sources are provisioned from grafana/provisioning/datasources/otelkit.yaml (mounted at /etc/grafana/provisioning): ' +
  'docker compose logs grafana | grep -i datasource shows why one was not inserted; docs/troubleshooting.md § Grafana';
const HINT_DASHBOARDS =
  'dashboards come from grafana/dashboards/*.json (provider grafana/provisioning/dashboards/otelkit.yaml, folder "otelkit", ' +
  'reloaded every 30 s): regenerate with npm run dashboards, check the ./grafana/dashboards mount; docs/troubleshooting.md § Grafana';

type Lookup = { ok: true; json: unknown } | { ok: false; problem: string; auth?: boolean; down?: boolean };

async function lookup(get: HttpGet, url: string, auth: GrafanaAuth): Promise<Lookup> {
  const authorization = `Basic ${Buffer.from(`${auth.user}:${auth.password}`).toString('base64')}`;
  try {
    const { status, body } = await get(url, { authorization, accept: 'application/json' });
    if (status === 401 || status === 403) return { ok: false, problem: `${status} for user "${auth.user}"`, auth: true };
    if (status === 404) return { ok: false, problem: 'not found' };
    if (status !== 200) return { ok: false, problem: `${status} ${snippet(body, 60)}` };
    return { ok: true, json: JSON.parse(body) };
  } catch (error) {
    if (error instanceof SyntaxError) return { ok: false, problem: 'answer is not JSON' };
    return { ok: false, problem: networkProblem(error), down: true };
  }
}

/** Shared verdict: Grafana down or login refused beats the per-item problems. */
function verdict(
  id: 'grafana-datasources' | 'grafana-dashboards',
  grafanaUrl: string,
  looks: Lookup[],
  problems: string[],
  hint: string,
  ok: string,
): CheckResult {
  const down = looks.find((l) => !l.ok && l.down);
  if (down && !down.ok) return fail(id, `Grafana unreachable at ${grafanaUrl} (${down.problem})`, HINT_DOWN);
  const auth = looks.find((l) => !l.ok && l.auth);
  if (auth && !auth.ok) return fail(id, `Grafana refused the login (${auth.problem})`, HINT_AUTH);
  return problems.length === 0 ? pass(id, ok) : fail(id, problems.join('; '), hint);
}

/** The four data sources exist under their fixed uids, with the expected plugin type. */
export async function checkGrafanaDatasources(get: HttpGet, grafanaUrl: string, auth: GrafanaAuth): Promise<CheckResult> {
  const uids = Object.keys(DATASOURCES);
  const looks = await Promise.all(uids.map((uid) => lookup(get, join(grafanaUrl, `/api/datasources/uid/${uid}`), auth)));
  const problems: string[] = [];
  const found: string[] = [];
  looks.forEach((look, i) => {
    const uid = uids[i]!;
    if (!look.ok) return problems.push(`uid ${uid}: ${look.problem}`);
    const parsed = datasource.safeParse(look.json);
    if (!parsed.success) return problems.push(`uid ${uid}: unexpected answer`);
    if (parsed.data.type !== DATASOURCES[uid])
      return problems.push(`uid ${uid} is of type ${parsed.data.type}, expected ${DATASOURCES[uid]}`);
    found.push(`${parsed.data.name} (${uid})`);
  });
  return verdict('grafana-datasources', grafanaUrl, looks, problems, HINT_DATASOURCES, `${found.length} provisioned: ${found.join(', ')}`);
}

/** The four dashboards exist under their uids, provisioned from files, in the "otelkit" folder. */
export async function checkGrafanaDashboards(get: HttpGet, grafanaUrl: string, auth: GrafanaAuth): Promise<CheckResult> {
  const looks = await Promise.all(DASHBOARDS.map((uid) => lookup(get, join(grafanaUrl, `/api/dashboards/uid/${uid}`), auth)));
  const problems: string[] = [];
  looks.forEach((look, i) => {
    const uid = DASHBOARDS[i]!;
    if (!look.ok) return problems.push(`${uid}: ${look.problem}`);
    const parsed = dashboard.safeParse(look.json);
    if (!parsed.success) return problems.push(`${uid}: unexpected answer`);
    const { meta } = parsed.data;
    if (meta.provisioned === false) problems.push(`${uid}: not provisioned from a file (imported or saved by hand?)`);
    if (meta.folderTitle !== FOLDER && meta.folderUid !== FOLDER)
      problems.push(`${uid}: in folder "${meta.folderTitle ?? '(none)'}", expected "${FOLDER}"`);
  });
  return verdict(
    'grafana-dashboards',
    grafanaUrl,
    looks,
    problems,
    HINT_DASHBOARDS,
    `${DASHBOARDS.length} provisioned in folder "${FOLDER}": ${DASHBOARDS.join(', ')}`,
  );
}
