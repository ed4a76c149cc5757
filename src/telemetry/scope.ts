import { readFileSync } from 'node:fs';
import { metrics, trace, type Meter } from '@opentelemetry/api';

/**
 * package.json's version, read at start-up: `service.version` and the scope's version. Not
 * `npm_package_version`, which only `npm run` sets (compose and the image start plain `node`). The
 * file is two levels up from src/telemetry/ and from a build's dist/telemetry/ alike, and the image
 * copies it next to src/.
 */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/**
 * The instrumentation scope of every span and metric point this code makes by hand: one name and
 * version, so backends group them as one library (`otel_scope_name` in Prometheus, the scope in
 * Tempo). The version is package.json's.
 */
export const INSTRUMENTATION_SCOPE = { name: 'otelkit', version: PACKAGE_VERSION } as const;

/** The tracer for spans we create by hand (business operations, DB client spans, messaging). */
export const tracer = trace.getTracer(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);

/** The meter for our instruments; fetched when instruments are created, after the SDK registered its provider. */
export const meter = (): Meter => metrics.getMeter(INSTRUMENTATION_SCOPE.name, INSTRUMENTATION_SCOPE.version);
