import { existsSync, readFileSync } from 'node:fs';

import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CollectorProcess, freePorts, portOverrides, until } from '../helpers/collector-process.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

/**
 * The bundled Collector config, run by our built Collector, is the second line of defence: whatever
 * a sender puts in process.command_args / process.command_line never leaves it, in any signal. A
 * second Collector (tests/e2e/sink-collector.yaml) stands in for Tempo, Loki and Prometheus and
 * writes what it receives to files.
 */
const SECRET = 'collector-argv-secret-8Jd2Qw';
const collectors: CollectorProcess[] = [];
afterAll(() => {
  for (const collector of collectors) collector.kill();
});

const str = (value: string) => ({ stringValue: value });
const resource = {
  attributes: [
    { key: 'service.name', value: str('scrub-probe') },
    { key: 'process.pid', value: { intValue: '4242' } },
    { key: 'process.command_args', value: { arrayValue: { values: ['node', 'app.js', '--admin-token', SECRET].map(str) } } },
    { key: 'process.command_line', value: str(`node app.js --admin-token ${SECRET}`) },
  ],
};

function probePayloads() {
  const now = `${Date.now()}000000`;
  return {
    traces: {
      resourceSpans: [
        {
          resource,
          scopeSpans: [
            {
              spans: [
                {
                  traceId: '5b8efff798038103d269b633813fc60c',
                  spanId: 'eee19b7ec3c1b174',
                  name: 'scrub-probe-span',
                  kind: 2,
                  startTimeUnixNano: now,
                  endTimeUnixNano: now,
                },
              ],
            },
          ],
        },
      ],
    },
    metrics: {
      resourceMetrics: [
        {
          resource,
          scopeMetrics: [{ metrics: [{ name: 'scrub_probe_metric', gauge: { dataPoints: [{ timeUnixNano: now, asDouble: 1 }] } }] }],
        },
      ],
    },
    logs: {
      resourceLogs: [{ resource, scopeLogs: [{ logRecords: [{ timeUnixNano: now, severityNumber: 9, body: str('scrub_probe_log') }] }] }],
    },
  };
}

describe('the Collector config scrubs command lines from every signal', () => {
  it('deletes process.command_args and process.command_line from traces, metrics and logs and keeps the rest', async () => {
    const { sinkGrpc, sinkHttp, sinkHealth, grpc, http, health } = await freePorts(
      'sinkGrpc',
      'sinkHttp',
      'sinkHealth',
      'grpc',
      'http',
      'health',
    );
    const sinkDir = tempDir('otelkit-scrub-');
    const sink = new CollectorProcess(['--config', 'tests/e2e/sink-collector.yaml'], {
      SINK_DIR: sinkDir,
      SINK_GRPC_ENDPOINT: `127.0.0.1:${sinkGrpc}`,
      SINK_HTTP_ENDPOINT: `127.0.0.1:${sinkHttp}`,
      SINK_HEALTH_ENDPOINT: `127.0.0.1:${sinkHealth}`,
    });
    // The kit's config as shipped; only its fixed listen ports are moved.
    const collector = new CollectorProcess(['--config', 'collector/config.yaml', ...portOverrides({ grpc, http, health })], {
      OTELCOL_BIND_HOST: '127.0.0.1',
      REDIS_ENDPOINT: '127.0.0.1:6379',
      TEMPO_OTLP_ENDPOINT: `127.0.0.1:${sinkGrpc}`,
      LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${sinkHttp}/otlp`,
      PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${sinkHttp}/api/v1/otlp`,
    });
    collectors.push(sink, collector);
    await sink.ready(sinkHealth);
    await collector.ready(health);

    for (const [signal, body] of Object.entries(probePayloads())) {
      const response = await fetch(`http://127.0.0.1:${http}/v1/${signal}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.status, `${signal}: ${await response.text()}`).toBe(200);
    }

    const marker = { traces: 'scrub-probe-span', metrics: 'scrub_probe_metric', logs: 'scrub_probe_log' };
    for (const [signal, name] of Object.entries(marker)) {
      const file = join(sinkDir, `${signal}.jsonl`);
      const lines = await until(
        `${signal} with ${name} at the sink`,
        () => {
          if (!existsSync(file)) return undefined;
          const found = readFileSync(file, 'utf8')
            .split('\n')
            .filter((line) => line.includes(name));
          return found.length > 0 ? found : undefined;
        },
        collector.output,
      );
      const received = lines.join('\n');
      expect(received, signal).toContain('"service.name"');
      expect(received, signal).toContain('"process.pid"');
      expect(received, signal).not.toContain('process.command_args');
      expect(received, signal).not.toContain('process.command_line');
      expect(received, signal).not.toContain(SECRET);
    }
    // Nothing anywhere in what left the Collector, including derived span metrics.
    for (const signal of Object.keys(marker)) {
      expect(readFileSync(join(sinkDir, `${signal}.jsonl`), 'utf8'), signal).not.toContain(SECRET);
    }
  });
});
