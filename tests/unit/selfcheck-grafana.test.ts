import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkGrafanaDashboards, checkGrafanaDatasources, DASHBOARDS, DATASOURCES } from '../../src/selfcheck/grafana.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

const AUTH = { user: 'admin', password: 'admin' };
const client = createHttpClient(2_000);
const server = new FixtureServer();

/** Every data source and dashboard provisioned, as Grafana 13.2 answers them. */
function provisioned(): void {
  for (const uid of Object.keys(DATASOURCES)) server.route(`/api/datasources/uid/${uid}`, file(`grafana-datasource-${uid}.json`));
  for (const uid of DASHBOARDS) server.route(`/api/dashboards/uid/${uid}`, file(`grafana-dashboard-${uid}.json`));
}

beforeAll(() => server.start());
beforeEach(() => {
  server.seen.length = 0;
  provisioned();
});
afterAll(async () => {
  await server.close();
  await client.close();
});

describe('Grafana data sources (GET /api/datasources/uid/:uid)', () => {
  it('passes when the four uids exist with their types, logging in with basic auth', async () => {
    const result = await checkGrafanaDatasources(client.get, server.url, AUTH);
    expect(result).toMatchObject({
      status: 'pass',
      detail: '4 provisioned: Prometheus (prometheus), Tempo (tempo), Loki (loki), Alertmanager (alertmanager)',
    });
    expect(server.seen.map((r) => r.headers.authorization)).toEqual(
      Array(4).fill(`Basic ${Buffer.from('admin:admin').toString('base64')}`),
    );
  });

  it('names a data source that is not provisioned', async () => {
    server.route('/api/datasources/uid/tempo', file('grafana-datasource-not-found.json', 404));
    const result = await checkGrafanaDatasources(client.get, server.url, AUTH);
    expect(result).toMatchObject({ status: 'fail', detail: 'uid tempo: not found' });
    expect(result.hint).toContain('grafana/provisioning/datasources/otelkit.yaml');
  });

  it('fails on a uid of the wrong type (wrong data)', async () => {
    const wrong = { ...JSON.parse(fixture('grafana-datasource-loki.json')), type: 'elasticsearch' };
    server.route('/api/datasources/uid/loki', { body: wrong });
    const result = await checkGrafanaDatasources(client.get, server.url, AUTH);
    expect(result.detail).toBe('uid loki is of type elasticsearch, expected loki');
  });

  it('reports a refused login once, with the credentials hint', async () => {
    for (const uid of Object.keys(DATASOURCES)) server.route(`/api/datasources/uid/${uid}`, file('grafana-unauthorized.json', 401));
    const result = await checkGrafanaDatasources(client.get, server.url, { user: 'admin', password: 'wrong' });
    expect(result).toMatchObject({ status: 'fail', detail: 'Grafana refused the login (401 for user "admin")' });
    expect(result.hint).toContain('GRAFANA_ADMIN_PASSWORD');
  });

  it('fails when Grafana is down', async () => {
    const url = await refusedUrl();
    const result = await checkGrafanaDatasources(client.get, url, AUTH);
    expect(result.detail).toBe(`Grafana unreachable at ${url} (connection refused)`);
    expect(result.hint).toContain('docker compose ps grafana');
  });
});

describe('Grafana dashboards (GET /api/dashboards/uid/:uid)', () => {
  it('passes when the four dashboards are provisioned in the otelkit folder', async () => {
    const result = await checkGrafanaDashboards(client.get, server.url, AUTH);
    expect(result).toMatchObject({ status: 'pass', detail: `5 provisioned in folder "otelkit": ${DASHBOARDS.join(', ')}` });
  });

  it('names a missing dashboard', async () => {
    server.route('/api/dashboards/uid/otelkit-business', file('grafana-dashboard-not-found.json', 404));
    const result = await checkGrafanaDashboards(client.get, server.url, AUTH);
    expect(result).toMatchObject({ status: 'fail', detail: 'otelkit-business: not found' });
    expect(result.hint).toContain('npm run dashboards');
  });

  it('fails on a dashboard imported by hand into another folder (wrong data)', async () => {
    const copy = JSON.parse(fixture('grafana-dashboard-otelkit-red.json'));
    Object.assign(copy.meta, { provisioned: false, provisionedExternalId: '', folderUid: '', folderTitle: 'General' });
    server.route('/api/dashboards/uid/otelkit-red', { body: copy });
    const result = await checkGrafanaDashboards(client.get, server.url, AUTH);
    expect(result.detail).toBe(
      'otelkit-red: not provisioned from a file (imported or saved by hand?); otelkit-red: in folder "General", expected "otelkit"',
    );
  });
});
