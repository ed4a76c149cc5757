import { applyProfileDefaults } from '../config/profile.ts';

/**
 * Our defaults for the standard OTEL_* variables, applied only where the user set nothing, so every
 * documented OTel variable keeps working. The SDK's own defaults are OTLP over HTTP/protobuf and a
 * 60 s metric interval; this kit keeps HTTP/protobuf (docs/decisions.md: it reconnects at once after
 * a Collector restart, where grpc-js backs off for up to 120 s, and costs less per request) and
 * exports metrics every 10 s, equal to Grafana's timeInterval so rate() panels never go blank.
 *
 * Export timeouts are 5 s, not the SDK's 10 s or 30 s: on SIGTERM the final flush of all three signals
 * (in parallel) must end inside SHUTDOWN_TIMEOUT_MS (10 s by default), even when the Collector never
 * answers, or the forced exit would drop the telemetry of the last requests.
 */
export const OTEL_DEFAULTS: Readonly<Record<string, string>> = {
  OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
  OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
  OTEL_METRIC_EXPORT_INTERVAL: '10000',
  OTEL_METRIC_EXPORT_TIMEOUT: '5000',
  OTEL_BSP_SCHEDULE_DELAY: '1000',
  OTEL_BLRP_SCHEDULE_DELAY: '1000',
  OTEL_EXPORTER_OTLP_TIMEOUT: '5000',
  OTEL_BSP_EXPORT_TIMEOUT: '5000',
  OTEL_BLRP_EXPORT_TIMEOUT: '5000',
  OTEL_NODE_RESOURCE_DETECTORS: 'env,host,os,process,serviceinstance',
};

/**
 * The sampler (and the other settings a profile decides, src/config/profile.ts) come from
 * OTELKIT_PROFILE first: demo keeps every trace, production samples 10% at the head.
 */
export function applyOtelDefaults(env: NodeJS.ProcessEnv): void {
  applyProfileDefaults(env);
  for (const [name, value] of Object.entries(OTEL_DEFAULTS)) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
}
