/**
 * (h) The committed dashboard JSON is exactly what grafana/src generates, and the dashboards keep
 * the promises the kit makes: fixed uids, the service/route/tenant variables, units on every panel,
 * and thresholds equal to the alert rules' thresholds.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { findDrift, renderAll } from '../../grafana/src/generate.ts';
import {
  DB_POOL_USAGE_ALERT,
  ERROR_RATIO_ALERT,
  NEW_EXCEPTION_RATE_ALERT,
  P95_LATENCY_ALERT_SECONDS,
} from '../../grafana/src/thresholds.ts';
import { ROOT, listFiles, readRepoFile } from './support/repo.ts';
import { loadDashboards } from './support/queries.ts';

interface PanelJson {
  type: string;
  title?: string;
  description?: string;
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps: Array<{ value: number | null; color: string }> } } };
  targets?: Array<{ expr?: string }>;
}

const dashboards = loadDashboards();
const byUid = (uid: string) =>
  dashboards.find(({ dashboard }) => dashboard.uid === uid)?.dashboard as
    { panels: PanelJson[]; templating: { list: Array<{ name: string }> }; tags: string[] } | undefined;
const panelsOf = (uid: string): PanelJson[] => (byUid(uid)?.panels ?? []).filter((panel) => panel.type !== 'row');

/** The red threshold step of panels whose queries mention `metric`. */
const redSteps = (uid: string, metric: string): number[] =>
  panelsOf(uid)
    .filter((panel) => (panel.targets ?? []).some((target) => target.expr?.includes(metric)))
    .flatMap((panel) => panel.fieldConfig?.defaults?.thresholds?.steps ?? [])
    .filter((step) => step.color === 'red')
    .map((step) => step.value as number);

/** The numeric threshold `expr > N` of the Prometheus alert rule whose expression mentions `needle`. */
const alertThreshold = (needle: string): number | undefined => {
  const rules = listFiles('prometheus/rules', ['.yml', '.yaml']).map(readRepoFile).join('\n');
  const alerts = rules.split(/\n\s*- alert: /).slice(1);
  const alert = alerts.find((block) => block.includes(needle));
  const match = alert === undefined ? null : new RegExp(`${needle}[^\\n]*?>\\s*([0-9.]+)`).exec(alert);
  return match?.[1] === undefined ? undefined : Number(match[1]);
};

describe('generated dashboards', () => {
  it('grafana/dashboards matches grafana/src (`node grafana/src/generate.ts --check` exits 0)', () => {
    const result = spawnSync(process.execPath, ['grafana/src/generate.ts', '--check'], { cwd: ROOT, encoding: 'utf8' });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('reports a changed, a missing and a stale file (the check itself works)', async () => {
    const files = renderAll();
    const [first] = files.keys();
    files.set(first ?? '', `${files.get(first ?? '')} `);
    files.set('otelkit-new.json', '{}\n');
    const actual = new Map(files);
    actual.delete('otelkit-pipeline.json');
    const drift = await findDrift(actual);
    expect(drift).toEqual(expect.arrayContaining([first, 'otelkit-new.json', 'otelkit-pipeline.json (stale: no dashboard builds it)']));
  });

  it('has the five dashboards under fixed uids, tagged otelkit', () => {
    for (const uid of ['otelkit-red', 'otelkit-resource', 'otelkit-business', 'otelkit-pipeline', 'otelkit-errors']) {
      expect(byUid(uid)?.tags, uid).toContain('otelkit');
    }
  });

  it('offers the service, route and tenant variables', () => {
    const variables = (uid: string) => byUid(uid)?.templating.list.map((variable) => variable.name);
    expect(variables('otelkit-red')).toEqual(['service', 'route']);
    expect(variables('otelkit-resource')).toEqual(['service']);
    expect(variables('otelkit-business')).toEqual(['tenant']);
    expect(variables('otelkit-errors')).toEqual(['service']);
  });

  it('gives every panel a title and a description (the why)', () => {
    for (const { file, dashboard } of dashboards) {
      for (const panel of (dashboard.panels ?? []) as PanelJson[]) {
        if (panel.type === 'row') continue;
        expect(panel.title, file).toBeTruthy();
        expect(panel.description, `${file}: ${panel.title}`).toBeTruthy();
      }
    }
  });

  it('sets a unit on every metric panel', () => {
    for (const { file, dashboard } of dashboards) {
      for (const panel of (dashboard.panels ?? []) as PanelJson[]) {
        if (!['timeseries', 'stat', 'gauge', 'bargauge', 'piechart'].includes(panel.type)) continue;
        expect(panel.fieldConfig?.defaults?.unit, `${file}: ${panel.title}`).toBeTruthy();
      }
    }
  });
});

describe('dashboard thresholds equal the alert rules', () => {
  it('5xx error ratio: HighErrorRate', () => {
    expect(alertThreshold('http_server_request_errors:ratio_rate5m')).toBe(ERROR_RATIO_ALERT);
    expect(redSteps('otelkit-red', 'http_response_status_code=~"5.."')).toContain(ERROR_RATIO_ALERT);
  });

  it('p95 latency: HighLatencyP95', () => {
    expect(alertThreshold('p95_rate5m')).toBe(P95_LATENCY_ALERT_SECONDS);
    expect(redSteps('otelkit-red', 'histogram_quantile(0.95')).toContain(P95_LATENCY_ALERT_SECONDS);
  });

  it('new exception type rate: NewExceptionType', () => {
    expect(alertThreshold('otelkit_exceptions_total')).toBe(NEW_EXCEPTION_RATE_ALERT);
    expect(redSteps('otelkit-errors', 'rate(otelkit_exceptions_total')).toContain(NEW_EXCEPTION_RATE_ALERT);
  });

  it('database pool usage', () => {
    expect(alertThreshold('db_client_connection')).toBe(DB_POOL_USAGE_ALERT);
    expect(redSteps('otelkit-resource', 'db_client_connection_max')).toContain(DB_POOL_USAGE_ALERT);
  });
});
