import { metrics, trace, type Meter } from '@opentelemetry/api';

/**
 * The instrumentation scope of every span and metric point this code makes by hand: one name and
 * version, so backends group them as one library (`otel_scope_name` in Prometheus, the scope in
 * Tempo). The version follows package.json; a unit test keeps the two equal.
 */
export const INSTRUMENTATION_SCOPE = { name: 'otelkit', version: '0.1.0' } as const;

/** The tracer for spans we create by hand (business operations, DB client spans, messaging). */
export const tracer = trace.getTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);

/** The meter for our instruments; fetched when instruments are created, after the SDK registered its provider. */
export const meter = (): Meter => metrics.getMeter(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
