/**
 * (e) Every data source uid that a dashboard or a data source link refers to is provisioned. Grafana
 * shows "Datasource ... was not found" on the panel instead of failing at start, so nothing else
 * catches a renamed uid. Alerts are Prometheus rules: Grafana provisions no alerting files.
 */
import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { repoPath } from './support/repo.ts';
import { loadDashboards, provisionedDatasources } from './support/queries.ts';

const provisioned = (): Map<string, string> =>
  new Map(provisionedDatasources().flatMap(({ datasource }) => (datasource.uid ? [[datasource.uid, datasource.type]] : [])));

/** Every `{ uid }` in a `datasource` object, and every `datasourceUid` / `targetUID` / `alertmanagerUid` value. */
const referencedUids = (node: unknown, path = ''): Array<{ path: string; uid: string }> => {
  if (Array.isArray(node)) return node.flatMap((item, index) => referencedUids(item, `${path}[${index}]`));
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node as Record<string, unknown>).flatMap(([key, value]) => {
    const here = path ? `${path}.${key}` : key;
    const own =
      key === 'datasource' && value !== null && typeof value === 'object' && typeof (value as { uid?: unknown }).uid === 'string'
        ? [{ path: here, uid: (value as { uid: string }).uid }]
        : ['datasourceUid', 'targetUID', 'alertmanagerUid'].includes(key) && typeof value === 'string'
          ? [{ path: here, uid: value }]
          : [];
    return [...own, ...referencedUids(value, here)];
  });
};

/** uids that are not provisioned; Grafana's built-in pseudo data sources are always there. */
const BUILT_IN = new Set(['-- Grafana --', 'grafana', '-- Mixed --', '-- Dashboard --', '__expr__']);
const missing = (references: Array<{ path: string; uid: string }>, uids: Map<string, string>): string[] =>
  references.filter(({ uid }) => !uids.has(uid) && !BUILT_IN.has(uid) && !uid.startsWith('${')).map(({ path, uid }) => `${path}: ${uid}`);

describe('data source uids', () => {
  it('provisions prometheus, tempo, loki, alertmanager and pyroscope under fixed uids', () => {
    expect(Object.fromEntries(provisioned())).toEqual({
      prometheus: 'prometheus',
      tempo: 'tempo',
      loki: 'loki',
      alertmanager: 'alertmanager',
      pyroscope: 'grafana-pyroscope-datasource',
    });
  });

  it('finds the generated dashboards', () => {
    expect(loadDashboards().map(({ file }) => file)).toEqual([
      'grafana/dashboards/otelkit-business.json',
      'grafana/dashboards/otelkit-errors.json',
      'grafana/dashboards/otelkit-pipeline.json',
      'grafana/dashboards/otelkit-red.json',
      'grafana/dashboards/otelkit-resource.json',
    ]);
  });

  it.each(loadDashboards().map(({ file, dashboard }) => [file, dashboard]))(
    '%s refers only to provisioned data sources',
    (_file, dashboard) => {
      const references = referencedUids(dashboard);
      expect(references.length).toBeGreaterThan(0);
      expect(missing(references, provisioned())).toEqual([]);
    },
  );

  it('data source links (exemplars, trace to logs/metrics, service map, derived fields) point to provisioned uids', () => {
    const references = provisionedDatasources().flatMap(({ datasource }) =>
      referencedUids(datasource.jsonData ?? {}, `${datasource.name}.jsonData`),
    );
    expect(references.map(({ uid }) => uid)).toEqual(expect.arrayContaining(['tempo', 'loki', 'prometheus', 'alertmanager', 'pyroscope']));
    expect(missing(references, provisioned())).toEqual([]);
  });

  it('provisions no Grafana alerting files (alerts are Prometheus rules; new files need their uids checked here)', () => {
    expect(existsSync(repoPath('grafana/provisioning/alerting'))).toBe(false);
  });

  it('reports an unknown uid (the check itself works)', () => {
    const references = referencedUids({ panels: [{ datasource: { type: 'prometheus', uid: 'prom' } }] });
    expect(missing(references, provisioned())).toEqual(['panels[0].datasource: prom']);
  });
});
