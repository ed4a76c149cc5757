import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { freePorts, until } from '../helpers/collector-process.ts';
import { builtTool } from '../helpers/build-tools.ts';
import { REPO_ROOT } from '../helpers/service-process.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

/**
 * The inhibitions of alertmanager/alertmanager.yml (docs/runbooks/README.md, "Inhibitions"), run by
 * the real Alertmanager that compose pins: alerts are posted as Prometheus posts them, and
 * Alertmanager's own API says which are inhibited and by what. Notifications are not the subject
 * (the webhook's host does not resolve here; that only logs).
 */
const ALERTMANAGER_BIN = builtTool('ALERTMANAGER_BIN');

interface AlertState {
  labels: Record<string, string>;
  fingerprint: string;
  status: { state: string; inhibitedBy: string[] };
}

let alertmanager: ChildProcess;
let base = '';
const output: string[] = [];

beforeAll(async () => {
  const { web } = await freePorts('web');
  base = `http://127.0.0.1:${web}`;
  alertmanager = spawn(
    ALERTMANAGER_BIN,
    [
      `--config.file=${join(REPO_ROOT, 'alertmanager/alertmanager.yml')}`,
      `--storage.path=${tempDir('otelkit-am-')}`,
      `--web.listen-address=127.0.0.1:${web}`,
      '--cluster.listen-address=',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  alertmanager.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  alertmanager.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  await until('Alertmanager ready', async () => ((await fetch(`${base}/-/ready`)).ok ? true : undefined), output);
});

afterAll(() => {
  alertmanager?.kill('SIGKILL');
});

/** Posts firing alerts (severity critical unless given), as Prometheus does. */
async function fire(...alerts: Array<Record<string, string>>): Promise<void> {
  const startsAt = new Date().toISOString();
  const response = await fetch(`${base}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(alerts.map((labels) => ({ labels: { severity: 'critical', ...labels }, startsAt }))),
  });
  expect(response.status).toBe(200);
}

/**
 * Every alert with what inhibits it, once `check` holds (the inhibitor learns of new alerts
 * asynchronously, so the first read may predate it); the last read is asserted if it never does.
 */
async function inhibitionsOnceSettled(check: (silenced: Record<string, string[]>) => void): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const silenced = inhibitions((await (await fetch(`${base}/api/v2/alerts`)).json()) as AlertState[]);
    try {
      check(silenced);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Each posted alert as `name service_name instance` → the same key of the alerts that inhibit it. */
function inhibitions(states: AlertState[]): Record<string, string[]> {
  const key = (labels: Record<string, string>) => [labels.alertname, labels.service_name, labels.instance].filter(Boolean).join(' ');
  const byFingerprint = new Map(states.map((state) => [state.fingerprint, key(state.labels)]));
  return Object.fromEntries(
    states.map((state) => [key(state.labels), state.status.inhibitedBy.map((f) => byFingerprint.get(f) ?? f).sort()]),
  );
}

describe('Alertmanager inhibitions, as configured', () => {
  // Alertmanager reports one inhibitor: the first rule of the config that mutes the alert.
  it('a stopped agent silences its own service, a stopped gateway none; DependencyDown silences the symptoms of its service', async () => {
    await fire(
      { alertname: 'OtelCollectorTierDown', job: 'otel-agent', instance: 'otel-agent-payments:8888', service_name: 'payments' },
      { alertname: 'OtelCollectorTierDown', job: 'otel-agent', instance: 'otel-agent-api:8888', service_name: 'api' },
      { alertname: 'OtelCollectorTierDown', job: 'otel-gateway', instance: 'otel-gateway-1:8888' },
      { alertname: 'ServiceDown', service_name: 'payments' },
      { alertname: 'NoTraffic', service_name: 'payments', severity: 'warning' },
      { alertname: 'NoTraffic', service_name: 'api', severity: 'warning' },
      { alertname: 'ServiceDown', service_name: 'worker' },
      { alertname: 'DependencyDown', service_name: 'api', dependency: 'redis' },
      { alertname: 'HighErrorRate', service_name: 'api', severity: 'warning' },
      { alertname: 'HighErrorRate', service_name: 'worker', severity: 'warning' },
    );
    await inhibitionsOnceSettled((silenced) =>
      expect(silenced).toEqual({
        'OtelCollectorTierDown payments otel-agent-payments:8888': [],
        'OtelCollectorTierDown api otel-agent-api:8888': [],
        'OtelCollectorTierDown otel-gateway-1:8888': [],
        'ServiceDown payments': ['OtelCollectorTierDown payments otel-agent-payments:8888'],
        // ServiceDown -> NoTraffic of the same service comes first in the config.
        'NoTraffic payments': ['ServiceDown payments'],
        'NoTraffic api': ['OtelCollectorTierDown api otel-agent-api:8888'],
        'ServiceDown worker': [],
        'DependencyDown api': [],
        'HighErrorRate api': ['DependencyDown api'],
        'HighErrorRate worker': [],
      }),
    );
  });

  it('a Collector that carries part of the telemetry, and a Kubernetes agent without a service, silence nothing', async () => {
    await fire(
      // Next to agents and gateways (compose overlay) or one of several pods: carries="part".
      { alertname: 'OtelCollectorDown', job: 'otel-collector', instance: 'otel-collector-b:8888', carries: 'part' },
      // A DaemonSet agent (instance = pod IP): it serves a node, not one service.
      { alertname: 'OtelCollectorTierDown', job: 'otel-agent', instance: '10.1.0.7:8888', pod: 'otel-agent-x7k2p' },
      // A gateway's alert, given a service_name by mistake, still silences nothing: job otel-gateway.
      { alertname: 'OtelCollectorTierDown', job: 'otel-gateway', instance: 'otel-gateway-2:8888', service_name: 'worker' },
    );
    await inhibitionsOnceSettled((silenced) => {
      expect(silenced['OtelCollectorDown otel-collector-b:8888']).toEqual([]);
      expect(silenced['OtelCollectorTierDown 10.1.0.7:8888']).toEqual([]);
      expect(silenced['ServiceDown worker']).toEqual([]);
      expect(silenced['ServiceDown payments']).toEqual(['OtelCollectorTierDown payments otel-agent-payments:8888']);
      expect(silenced['NoTraffic api']).toEqual(['OtelCollectorTierDown api otel-agent-api:8888']);
      expect(silenced['HighErrorRate worker']).toEqual([]);
    });
  });

  it('the single Collector down silences ServiceDown and NoTraffic of every service, and nothing else', async () => {
    await fire({ alertname: 'OtelCollectorDown', job: 'otel-collector', instance: 'otel-collector:8888', carries: 'everything' });
    await inhibitionsOnceSettled((silenced) => {
      expect(silenced['ServiceDown worker']).toEqual(['OtelCollectorDown otel-collector:8888']);
      expect(silenced['ServiceDown payments']).toEqual(['OtelCollectorDown otel-collector:8888']);
      expect(silenced['NoTraffic api']).toEqual(['OtelCollectorDown otel-collector:8888']);
      expect(silenced['HighErrorRate worker']).toEqual([]);
      expect(silenced['OtelCollectorTierDown otel-gateway-1:8888']).toEqual([]);
    });
  });
});

describe('inhibitions by Collector alerts, as written', () => {
  it('each names its tier (job) and is narrowed by equal labels, except the single Collector that carries everything', () => {
    const config = parse(readFileSync(join(REPO_ROOT, 'alertmanager/alertmanager.yml'), 'utf8')) as {
      inhibit_rules: Array<{ source_matchers: string[]; equal?: string[] }>;
    };
    const collectorRules = config.inhibit_rules.filter((rule) => rule.source_matchers.some((m) => /OtelCollector/.test(m)));
    expect(collectorRules.length).toBeGreaterThanOrEqual(2);
    for (const rule of collectorRules) {
      expect(rule.source_matchers, JSON.stringify(rule)).toContainEqual(expect.stringMatching(/^job="otel-(collector|agent|gateway)"$/));
      if (!rule.source_matchers.includes('carries="everything"')) expect(rule.equal ?? [], JSON.stringify(rule)).not.toEqual([]);
    }
  });
});
