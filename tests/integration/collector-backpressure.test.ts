import { afterAll, describe, expect, it } from 'vitest';
import { CollectorProcess, freePorts, portOverrides, until } from '../helpers/collector-process.ts';

/**
 * Batching in the exporters' sending queues (not in a batch processor) makes loss visible to the
 * sender: when a queue is full, the receiver refuses the request with a retryable error instead of
 * answering 200 and dropping the data behind the sender's back. The kit's config runs with only the
 * Loki exporter's queue shrunk to 10 items and its backend unreachable, so the queue fills at once.
 */
const collectors: CollectorProcess[] = [];
afterAll(() => {
  for (const collector of collectors) collector.kill();
});

const logsRequest = () => {
  const now = `${Date.now()}000000`;
  const record = (body: string) => ({ timeUnixNano: now, severityNumber: 9, body: { stringValue: body } });
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'queue-probe' } }] },
        scopeLogs: [{ logRecords: ['a', 'b', 'c'].map(record) }],
      },
    ],
  };
};

describe('Collector back-pressure', () => {
  it('refuses with a retryable error once an exporter queue is full, and counts the refused records', async () => {
    const { grpc, http, health, metrics, closed } = await freePorts('grpc', 'http', 'health', 'metrics', 'closed');
    const collector = new CollectorProcess(
      [
        '--config',
        'collector/config.yaml',
        ...portOverrides({ grpc, http, health, metrics }),
        // Only the size changes; sizer, blocking and batching stay as configured.
        '--config',
        'yaml:exporters::otlp_http/loki::sending_queue::queue_size: 10',
        '--config',
        'yaml:exporters::otlp_http/loki::sending_queue::batch::min_size: 5',
        '--config',
        'yaml:exporters::otlp_http/loki::sending_queue::batch::max_size: 10',
      ],
      {
        OTELCOL_BIND_HOST: '127.0.0.1',
        REDIS_ENDPOINT: '127.0.0.1:6379',
        // Nothing listens there: every export fails and is retried, so the queue only grows.
        LOKI_OTLP_ENDPOINT: `http://127.0.0.1:${closed}/otlp`,
        TEMPO_OTLP_ENDPOINT: `127.0.0.1:${closed}`,
        PROMETHEUS_OTLP_ENDPOINT: `http://127.0.0.1:${closed}/api/v1/otlp`,
      },
    );
    collectors.push(collector);
    await collector.ready(health);

    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const response = await fetch(`http://127.0.0.1:${http}/v1/logs`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(logsRequest()),
      });
      statuses.push(response.status);
      await response.text();
    }
    // 3 records per request into 10 slots: the first three fit, every later one is refused.
    expect(statuses.slice(0, 3)).toEqual([200, 200, 200]);
    expect(
      statuses.slice(3).every((status) => status === 503),
      `statuses: ${statuses.join(' ')}`,
    ).toBe(true);

    const counters = await until(
      'refusals in the Collector metrics',
      async () => {
        const text = await (await fetch(`http://127.0.0.1:${metrics}/metrics`)).text();
        const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
        const found = {
          enqueueFailed: value(/^otelcol_exporter_enqueue_failed_log_records\{exporter="otlp_http\/loki"[^}]*\} (\d+)/m),
          refused: value(/^otelcol_receiver_refused_log_records\{receiver="otlp"[^}]*transport="http"[^}]*\} (\d+)/m),
        };
        return found.enqueueFailed > 0 ? found : undefined;
      },
      collector.output,
    );
    expect(counters).toEqual({ enqueueFailed: 15, refused: 15 });
  });
});
