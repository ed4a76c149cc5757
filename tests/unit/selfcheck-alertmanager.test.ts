import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkAlertmanager } from '../../src/selfcheck/alertmanager.ts';
import { createHttpClient } from '../../src/selfcheck/http-get.ts';
import { file, FixtureServer, refusedUrl } from '../fixtures/selfcheck/server.ts';

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
    server.route('/api/v1/alertmanagers', file('prometheus-alertmanagers-none.json'));
    const result = await checkAlertmanager(client.get, server.url, server.url);
    expect(result.status).toBe('fail');
    expect(result.hint).toContain('alerting.alertmanagers in prometheus/prometheus.yml');
  });

  it('does not blame Alertmanager when Prometheus is down', async () => {
    const result = await checkAlertmanager(client.get, server.url, await refusedUrl());
    expect(result.status).toBe('pass');
    expect(result.detail).toContain('Prometheus did not answer');
  });

  it('fails when Alertmanager is down', async () => {
    const url = await refusedUrl();
    const result = await checkAlertmanager(client.get, url, server.url);
    expect(result).toMatchObject({ status: 'fail', detail: `Alertmanager unreachable at ${url} (connection refused)` });
  });
});
