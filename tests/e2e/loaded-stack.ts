/**
 * The native stack of pipeline.test.ts under load: the e2e load (drive-load.ts, with the secrets
 * no backend may receive) and the real load generator. What the tests measure goes into `measured`,
 * printed with the load's numbers when the stack stops.
 */
import { ServiceProcess } from '../helpers/service-process.ts';
import { driveLoad, type LoadStats } from './drive-load.ts';
import { API_URL, startNativeStack, stopNativeStack } from './native-stack.ts';
import { query } from './prometheus-api.ts';
import { Sink } from './sink.ts';
import { nonEmpty, until } from './until.ts';

export let sink: Sink;
export const stats: LoadStats = { requests: 0, byStatus: {}, okByAction: {} };
export const measured: Record<string, unknown> = {};
const load = new AbortController();
let loading: Promise<void>;

// The real load generator too, instrumented, so traces start at the client (loadgen → api edges).
const loadgen = new ServiceProcess('loadgen', {
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318',
  OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=native',
});

/** Starts the stack and the load; resolves once Prometheus holds order metrics. */
export async function startLoadedStack(): Promise<void> {
  sink = new Sink(startNativeStack());
  loading = driveLoad(API_URL, 10, load.signal, stats);
  loadgen.start(['--rate', '8', '--duration', '20m', '--scenario', 'mixed', '--users', '2']);
  // Two metric exports (10 s apart) and one Prometheus evaluation make rate() meaningful.
  await until('first order metrics in Prometheus', () => query('shop_orders_total'), nonEmpty);
}

/** Stops the load, prints its numbers and the measurements, and stops the stack. */
export async function stopLoadedStack(): Promise<void> {
  load.abort();
  await loading?.catch(() => {});
  await loadgen.stop('SIGINT', 30_000).catch(() => {});
  console.log(`loadgen summary:\n${loadgen.output.slice(-30).join('\n')}`);
  console.log(`e2e load: ${stats.requests} requests, by status ${JSON.stringify(stats.byStatus)}`);
  console.log(`e2e measurements: ${JSON.stringify(measured)}`);
  stopNativeStack();
}
