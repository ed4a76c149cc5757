import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAlertmanager } from '../../src/selfcheck/alertmanager.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { file, FixtureServer, fixture, refusedUrl } from '../fixtures/selfcheck/server.ts';

const client = createHttpClient(2_000);
const server = new FixtureServer({
  '/api/v2/status': file('alertmanager-status.json'),
  '/api/v1/alertmanagers': file('prometheus-alertmanagers.json'),
});

beforeAll(() => server.start());
beforeEach(() => {
  server.seen.length = 0;
  server.route('/api/v1/alertmanagers', file('prometheus-alertmanagers.json'));
});
afterAll(async () => {
  await server.close();
  await client.close();
});

describe('Alertmanager', () => {
  it('passes when it is up and Prometheus sends to it', async () => {
    const result = await checkAlertmanager(client.get, server.url, server.url);
    expect(result).toMatchObject({
      status: 'pass',
      detail: 'Alertmanager 0.31.1 up (cluster disabled); Prometheus sends to http://127.0.0.1:9093/api/v2/alerts',
    });
  });

  it('checks only Alertmanager itself when Prometheus is not checked', async () => {
    const result = await checkAlertmanager(client.get, server.url);
    expect(result.detail).toBe('Alertmanager 0.31.1 up (cluster disabled)');
    expect(server.requests('/api/v1/alertmanagers')).toHaveLength(0);
  });

  it('fails when Prometheus has no active Alertmanager', async () => {
    const none = JSON.parse(fixture('prometheus-alertmanagers.json'));
    none.data.activeAlertmanagers = [];
    server.route('/api/v1/alertmanagers', { body: none });
    const result = await checkAlertmanager(client.get, server.url, server.url);
    expect(result.status).toBe('fail');
    expect(result.hint).toContain('alerting.alertmanagers in prometheus/prometheus.yml');
  });

  it('fails when Prometheus cannot say whether it sends to Alertmanager (down)', async () => {
    const result = await checkAlertmanager(client.get, server.url, await refusedUrl());
    expect(result).toMatchObject({
      status: 'fail',
      detail: "Alertmanager 0.31.1 up (cluster disabled), but Prometheus's list of Alertmanagers is unreachable (connection refused)",
    });
    expect(result.hint).toContain('--prometheus-url');
  });

  it.each([
    ['an error status', { status: 503, body: 'Service Unavailable' }, '503: Service Unavailable'],
    ['an error answer', { status: 422, body: { status: 'error', errorType: 'bad_data', error: 'nope' } }, '422: {"status":"error"'],
    ['a malformed answer', { body: { status: 'success', data: {} } }, '200: {"status":"success","data":{}}'],
    ['a page that is not JSON', { body: '<html>login</html>', contentType: 'text/html' }, '200: <html>login</html>'],
  ])('fails on %s from /api/v1/alertmanagers', async (_name, reply, quoted) => {
    server.route('/api/v1/alertmanagers', reply);
    const result = await checkAlertmanager(client.get, server.url, server.url);
    expect(result.status).toBe('fail');
    expect(result.detail).toContain(`but /api/v1/alertmanagers answered ${quoted}`);
  });

  it.each([
    ['an error status', { status: 500, body: 'internal error' }],
    ['a page that is not JSON', { body: '<html>Grafana</html>', contentType: 'text/html' }],
    ['JSON that is not a status (no versionInfo)', { body: { cluster: { status: 'ready' } } }],
    ['an unknown cluster status', { body: { cluster: { status: 'broken' }, versionInfo: { version: '0.31.1' } } }],
  ])('fails on %s from /api/v2/status', async (_name, reply) => {
    server.route('/api/v2/status', reply);
    try {
      const result = await checkAlertmanager(client.get, server.url);
      expect(result).toMatchObject({ status: 'fail', detail: expect.stringMatching(/^Alertmanager answered \d{3}: /) });
      expect(result.hint).toContain('docker compose ps alertmanager');
    } finally {
      server.route('/api/v2/status', file('alertmanager-status.json'));
    }
  });

  it('fails when Alertmanager is down', async () => {
    const url = await refusedUrl();
    const result = await checkAlertmanager(client.get, url, server.url);
    expect(result).toMatchObject({ status: 'fail', detail: `Alertmanager unreachable at ${url} (connection refused)` });
  });
});
