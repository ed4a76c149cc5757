import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startInProcessStack, type InProcessStack } from '../helpers/in-process-stack.ts';
import { OtlpJsonReceiver } from '../helpers/otlp-json-receiver.ts';
import { ServiceProcess } from '../helpers/service-process.ts';

let stack: InProcessStack;
const receiver = new OtlpJsonReceiver();
let endpoint: string;

beforeAll(async () => {
  [stack, endpoint] = await Promise.all([startInProcessStack(), receiver.start()]);
});
afterAll(async () => {
  await stack?.close();
  await receiver.close();
});

const attribute = (record: any, key: string) => record.attributes?.find((a: any) => a.key === key)?.value?.stringValue;
const resourceName = (record: any) => record.resource?.attributes?.find((a: any) => a.key === 'service.name')?.value?.stringValue;

describe('the load generator started as `npm run load` does', () => {
  it('aborts on a 401 from the admin endpoint: says so, exits 3, and logs start and abort over OTLP', async () => {
    const loadgen = new ServiceProcess('loadgen', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }).start([
      ...['--target', stack.apiUrl, '--payments-url', stack.paymentsUrl, '--scenario', 'payments-failing'],
      ...['--admin-token', 'not-the-admin-token', '--rate', '5', '--duration', '2s', '--users', '1', '--tenants', 'acme', '--json'],
    ]);
    expect(await loadgen.waitForExit(30_000)).toBe(3);
    // stdout and stderr arrive interleaved: the --json summary is the block from a lone "{" to a lone "}".
    const lines = loadgen.output;
    const summary = JSON.parse(lines.slice(lines.indexOf('{'), lines.lastIndexOf('}') + 1).join('\n'));
    expect(summary.outcome).toBe('aborted');
    expect(summary.abort_reason).toMatch(/answered 401/);
    expect(summary.thresholds.passed).toBe(false);
    expect(summary.achieved_rate).toBeNull();
    expect(loadgen.output).toContainEqual(expect.stringMatching(/^loadgen: ABORTED: .*401/));

    const records = receiver.logRecords().filter((r) => resourceName(r) === 'loadgen');
    const bodies = records.map((r) => r.body?.stringValue);
    expect(bodies).toEqual(expect.arrayContaining(['loadgen_started', 'loadgen_aborted']));
    expect(bodies).not.toContain('loadgen_summary');
    const aborted = records.find((r) => r.body?.stringValue === 'loadgen_aborted');
    expect(aborted.severityText).toBe('error');
    expect(attribute(aborted, 'reason')).toMatch(/401/);
    expect(attribute(aborted, 'reason')).not.toContain('not-the-admin-token');
  });

  it('logs the summary of a completed run over OTLP', async () => {
    const loadgen = new ServiceProcess('loadgen', {
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }).start([
      '--target',
      stack.apiUrl,
      '--scenario',
      'browse',
      '--rate',
      '5',
      '--duration',
      '1s',
      '--users',
      '1',
      '--tenants',
      'acme',
      '--json',
    ]);
    expect(await loadgen.waitForExit(30_000), loadgen.output.join('\n')).toBe(0);
    const summary = receiver.logRecords().find((r) => resourceName(r) === 'loadgen' && r.body?.stringValue === 'loadgen_summary');
    expect(summary?.severityText).toBe('info');
    expect(attribute(summary, 'scenario')).toBe('browse');
    const passed = summary.attributes.find((a: any) => a.key === 'thresholds_passed')?.value;
    expect(passed).toEqual({ boolValue: true });
  });
});
