/**
 * The three signals as the Collector capacity benchmark drives and reads them: the telemetrygen
 * subcommand that offers them, and the Collector's own counters (0.157, level "normal", no _total
 * or unit suffix) that say what was accepted, refused, sent and lost.
 */
import { parsePromText } from '../../src/selfcheck/prom-text.ts';

export type Signal = 'traces' | 'logs' | 'metrics';
export const SIGNALS: Signal[] = ['traces', 'logs', 'metrics'];

interface SignalSpec {
  /** Unit of the counters: otelcol_receiver_accepted_<item>. */
  item: 'spans' | 'log_records' | 'metric_points';
  /** The exporter id (the same in collector/config.yaml and collector-otlp-only.yaml). */
  exporter: string;
  /** telemetrygen arguments besides endpoint, rate, workers and duration. */
  generatorArgs: string[];
}

export const SIGNAL_SPECS: Record<Signal, SignalSpec> = {
  // Each trace is a client span and one child; telemetrygen's rate limiter counts spans.
  traces: { item: 'spans', exporter: 'otlp_grpc/tempo', generatorArgs: ['traces', '--child-spans', '1'] },
  logs: { item: 'log_records', exporter: 'otlp_http/loki', generatorArgs: ['logs', '--body', 'order placed'] },
  // Counters, as our services mostly send (a Sum point per record).
  metrics: { item: 'metric_points', exporter: 'otlp_http/prometheus', generatorArgs: ['metrics', '--metric-type', 'Sum'] },
};

/** One reading of the counters that decide whether a rate is sustained. */
export interface Counters {
  accepted: number;
  /** Refused at the receiver (memory limiter, full queue) or failed there. */
  refused: number;
  sent: number;
  /** Export failed, or the sending queue was full. */
  lost: number;
  queueSize: number;
}

export async function readCounters(metricsUrl: string, signal: Signal): Promise<Counters> {
  const { item, exporter } = SIGNAL_SPECS[signal];
  const samples = parsePromText(await (await fetch(metricsUrl)).text());
  const sum = (name: string, labels: Record<string, string>) =>
    samples
      .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
      .reduce((total, s) => total + s.value, 0);
  const otlp = { receiver: 'otlp' };
  const out = { exporter };
  return {
    accepted: sum(`otelcol_receiver_accepted_${item}`, otlp),
    refused: sum(`otelcol_receiver_refused_${item}`, otlp) + sum(`otelcol_receiver_failed_${item}`, otlp),
    sent: sum(`otelcol_exporter_sent_${item}`, out),
    lost: sum(`otelcol_exporter_send_failed_${item}`, out) + sum(`otelcol_exporter_enqueue_failed_${item}`, out),
    queueSize: sum('otelcol_exporter_queue_size', out),
  };
}
