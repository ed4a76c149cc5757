import { basename, extname } from 'node:path';
import { diag, DiagConsoleLogger, DiagLogLevel } from '@opentelemetry/api';
import type { Instrumentation } from '@opentelemetry/instrumentation';
import { RedisInstrumentation } from '@opentelemetry/instrumentation-redis';
import { defaultDbStatementSerializer } from '@opentelemetry/redis-common';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { LogRecordProcessor } from '@opentelemetry/sdk-logs';
import type { IMetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import {
  ATTR_DEPLOYMENT_ENVIRONMENT_NAME,
  ATTR_SERVICE_NAME,
  ATTR_SERVICE_NAMESPACE,
  ATTR_SERVICE_VERSION,
} from '@opentelemetry/semantic-conventions';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { applyOtelDefaults } from './otel-defaults.ts';
import { throttleExportErrors } from './export-errors.ts';
import { resourceDetectorsFromEnv } from './resource-detectors.ts';
import { EXCEPTION_SIGNAL_ENV, setExceptionSpanEvents, wantsExceptionSpanEvents } from '../telemetry/exception-signal.ts';
import { dropsChildrenOfUnsampled, samplerFromEnv } from './sampler.ts';
import { droppedParent, setChildrenOfUnsampledDropped } from '../telemetry/tracing.ts';
import { registerProcessMetrics } from '../telemetry/process-metrics.ts';
import { PACKAGE_VERSION } from '../telemetry/scope.ts';
import { publishTelemetryShutdown } from '../telemetry/flush.ts';

/** Overrides for tests: in-memory processors and readers instead of the OTLP exporters. */
export interface TelemetryOverrides {
  serviceName?: string;
  spanProcessors?: SpanProcessor[];
  metricReaders?: IMetricReader[];
  logRecordProcessors?: LogRecordProcessor[];
}

/**
 * `service.version` is package.json's version, however the process was started; the environment is
 * DEPLOYMENT_ENVIRONMENT (default `development`). OTEL_RESOURCE_ATTRIBUTES still wins over both.
 */
export function baseResourceAttributes(env: NodeJS.ProcessEnv): Record<string, string> {
  return {
    [ATTR_SERVICE_VERSION]: PACKAGE_VERSION,
    [ATTR_DEPLOYMENT_ENVIRONMENT_NAME]: env.DEPLOYMENT_ENVIRONMENT?.trim() || 'development',
  };
}

/**
 * The server span of incoming requests comes from our Hono middleware (src/http/middleware/
 * server-span.ts) and log records from our logger (src/infra/logger.ts), both cheaper than the
 * node:http and pino instrumentations they replace (docs/decisions.md). Outgoing calls go through
 * undici; Redis is patched when required.
 */
function instrumentations(): Instrumentation[] {
  return [
    new UndiciInstrumentation(),
    new RedisInstrumentation({
      requireParentSpan: true,
      // The instrumentation builds db.query.text before it starts (and the sampler drops) the span:
      // under a dropped parent that string is thrown away, so it is not built (no attribute is set).
      dbStatementSerializer: (command, args) =>
        droppedParent() ? (undefined as unknown as string) : defaultDbStatementSerializer(command, args),
    }),
    new RuntimeNodeInstrumentation({ monitoringPrecision: 10 }),
  ];
}

/**
 * Builds and starts the NodeSDK. Exporters come from the standard OTEL_* variables (OTLP HTTP/protobuf by
 * default, see otel-defaults.ts); tests pass in-memory processors instead. Returns the shutdown
 * function, also published on a global symbol so the service's shutdown sequence can flush every
 * signal after it has drained its own work.
 */
export function startTelemetry(overrides: TelemetryOverrides = {}): () => Promise<void> {
  applyOtelDefaults(process.env);
  // Exceptions are log records; span events too only on request (docs/errors.md).
  setExceptionSpanEvents(wantsExceptionSpanEvents(process.env[EXCEPTION_SIGNAL_ENV]));
  if (process.env.OTEL_SDK_DISABLED === 'true') {
    const noop = async () => {};
    publishTelemetryShutdown(noop);
    return noop;
  }
  if (!process.env.OTEL_LOG_LEVEL) diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
  throttleExportErrors();
  const entry = process.argv[1] ?? 'app';
  const serviceName = overrides.serviceName ?? basename(entry, extname(entry));
  const sampler = samplerFromEnv(process.env);
  // Our spans are not even started under a parent the sampler dropped (src/telemetry/tracing.ts).
  setChildrenOfUnsampledDropped(dropsChildrenOfUnsampled(process.env));
  const sdk = new NodeSDK({
    // The base resource: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (detected later) win over it.
    resource: defaultResource().merge(
      resourceFromAttributes({
        [ATTR_SERVICE_NAME]: serviceName,
        [ATTR_SERVICE_NAMESPACE]: 'otelkit',
        ...baseResourceAttributes(process.env),
      }),
    ),
    // Our own list (same variable, same names) so that the process detector never exports argv.
    resourceDetectors: resourceDetectorsFromEnv(process.env.OTEL_NODE_RESOURCE_DETECTORS),
    instrumentations: instrumentations(),
    // Ratio sampling writes its probability into tracestate (sampler.ts); other samplers: the SDK's.
    ...(sampler ? { sampler } : {}),
    ...(overrides.spanProcessors ? { spanProcessors: overrides.spanProcessors } : {}),
    ...(overrides.metricReaders ? { metricReaders: overrides.metricReaders } : {}),
    ...(overrides.logRecordProcessors ? { logRecordProcessors: overrides.logRecordProcessors } : {}),
  });
  sdk.start();
  registerProcessMetrics();
  let stopped: Promise<void> | undefined;
  const shutdown = () => (stopped ??= sdk.shutdown().catch((error: unknown) => diag.error('telemetry shutdown failed', error)));
  publishTelemetryShutdown(shutdown);
  return shutdown;
}
