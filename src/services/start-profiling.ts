import type { Logger } from '../domain/ports.ts';
import { redactUrl, splitUrlCredentials } from '../infra/redact-url.ts';
import { otelServiceName, startContinuousProfiling } from '../instrumentation/profiling.ts';

/** The settings every service reads for continuous profiling (src/config/service-config.ts, `common`). */
export interface ProfilingSettings {
  PROFILING_ENABLED: boolean;
  PROFILING_SERVER_URL: string;
  PROFILING_FLUSH_INTERVAL_MS: number;
}

/**
 * Starts continuous profiling when PROFILING_ENABLED is true (compose sets it; the native stack,
 * the tests and the benchmarks leave it off). The service name is OTEL_SERVICE_NAME when set, as
 * for the traces, so a trace's service and its profiles' service_name are the same.
 */
export function startProfiling(service: string, settings: ProfilingSettings, logger: Logger): void {
  if (!settings.PROFILING_ENABLED) return;
  const serviceName = otelServiceName() ?? service;
  // `user:password@` in the URL is Pyroscope basic auth: fetch() refuses URLs with credentials, so
  // they go to the client as its basic-auth options, and only the redacted URL is ever logged.
  const { url: serverUrl, username, password } = splitUrlCredentials(settings.PROFILING_SERVER_URL);
  startContinuousProfiling({
    serviceName,
    serverUrl,
    ...(username === undefined ? {} : { basicAuth: { username, password: password ?? '' } }),
    flushIntervalMs: settings.PROFILING_FLUSH_INTERVAL_MS,
    tags: { service_namespace: 'otelkit' },
  });
  logger.info({ profiling_server_url: redactUrl(settings.PROFILING_SERVER_URL), service_name: serviceName }, 'profiling_started');
}
