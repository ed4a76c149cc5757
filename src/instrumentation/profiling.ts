import { diag } from '@opentelemetry/api';
import { time } from '@datadog/pprof';
import Pyroscope from '@pyroscope/nodejs';
import { enableSpanProfiles } from '../telemetry/span-profiles.ts';
import { publishTelemetryShutdown, telemetryShutdown } from '../telemetry/flush.ts';

export interface ContinuousProfilingOptions {
  /** `service_name` in Pyroscope (and the application name of the push). */
  serviceName: string;
  /** Pyroscope's HTTP API, e.g. http://pyroscope:4040 (the client appends /ingest). */
  serverUrl: string;
  /** More labels on every profile of this process (service_namespace, ...). */
  tags?: Record<string, string>;
  /** How often a profile is pushed (default 10 s, the metric interval). */
  flushIntervalMs?: number;
  /** Basic auth for the push (from `user:password@` in PROFILING_SERVER_URL, src/services/start-profiling.ts). */
  basicAuth?: { username: string; password: string };
}

/** 100 samples per second, the rate of every Pyroscope SDK: 10 ms resolution, ~1% of a core. */
const SAMPLING_INTERVAL_MICROS = 10_000;
const DEFAULT_FLUSH_INTERVAL_MS = 10_000;

let started = false;

/** OTEL_SERVICE_NAME when set: the service name the traces carry, so profiles use the same one. */
export function otelServiceName(): string | undefined {
  return process.env.OTEL_SERVICE_NAME || undefined;
}

/**
 * Continuous profiling with `@pyroscope/nodejs`: CPU and wall time (one V8 sampling profiler, CPU
 * time per sample) and in-use heap, pushed to Pyroscope's `/ingest` API every flush interval with
 * `service_name` and the other tags. Directly to Pyroscope, not through the Collector: the Node
 * client speaks only Pyroscope's pprof push API, and our Collector has no stable profiles pipeline
 * (docs/decisions.md, "Profiles go to Pyroscope directly").
 *
 * Span labels: the client keeps the labels of its wall profiler in one process-wide slot (set,
 * run synchronously, restore), which an `await` inside a request leaves pointing at whichever
 * request ran last. So the V8 sampler that the client started is restarted at once in
 * @datadog/pprof's AsyncContextFrame mode (`useCPED`, Node 24's AsyncLocalStorage): the labels of
 * a request travel with its async continuations, and the client's own collection, labelling and
 * upload run unchanged on top of it (they read the same profiler; the test in
 * tests/integration/profiling-push.test.ts proves that the span ids of real requests arrive).
 */
export function startContinuousProfiling(options: ContinuousProfilingOptions): void {
  if (started) return;
  started = true;
  const flushIntervalMs = options.flushIntervalMs ?? DEFAULT_FLUSH_INTERVAL_MS;
  Pyroscope.init({
    appName: options.serviceName,
    serverAddress: options.serverUrl,
    ...(options.basicAuth ? { basicAuthUser: options.basicAuth.username, basicAuthPassword: options.basicAuth.password } : {}),
    flushIntervalMs,
    tags: { service_name: options.serviceName, ...options.tags },
    // samplingDurationMs is also what the client derives the push's sampleRate from.
    wall: { collectCpuTime: true, samplingIntervalMicros: SAMPLING_INTERVAL_MICROS, samplingDurationMs: flushIntervalMs },
  });
  Pyroscope.start();
  // Same profiler, same settings, plus per-async-context labels (see above).
  time.stop(false);
  time.start({
    durationMillis: flushIntervalMs,
    intervalMicros: SAMPLING_INTERVAL_MICROS,
    withContexts: true,
    useCPED: true,
    collectCpuTime: true,
    workaroundV8Bug: true,
  });
  enableSpanProfiles((labels, fn) => time.runWithContext({ labels }, fn));
  // The last profile (up to one flush interval) is pushed when the service shuts down, in parallel
  // with the final flush of traces, metrics and logs.
  const flushTelemetry = telemetryShutdown();
  let stopped: Promise<void> | undefined;
  publishTelemetryShutdown(
    () =>
      (stopped ??= Promise.all([
        flushTelemetry?.(),
        Pyroscope.stop().catch((error: unknown) => diag.error('profiling shutdown failed', error)),
      ]).then(() => {})),
  );
}
