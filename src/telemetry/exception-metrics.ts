import type { Counter } from '@opentelemetry/api';
import { ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';
import { ATTR_EXCEPTION_FINGERPRINT } from './exceptions.ts';
import { meter } from './scope.ts';

/**
 * Semantic conventions 1.45 define no language-neutral exception count (only dotnet.exceptions and
 * aspnetcore.diagnostics.exceptions), so the name is ours, in the kit's namespace. Prometheus:
 * otelkit_exceptions_total{exception_type, exception_fingerprint, service_name}.
 */
export const METRIC_OTELKIT_EXCEPTIONS = 'otelkit.exceptions';

let exceptions: Counter | undefined;

/**
 * Counts one recorded exception. Called exactly where its log record is written (emitLogRecord):
 * the count is the number of records, exact whatever share of traces is sampled, and within a span
 * its exemplar points to that span's trace. Both labels are bounded by the guards of exceptions.ts.
 */
export function countException(type: string, fingerprint: string): void {
  exceptions ??= meter().createCounter(METRIC_OTELKIT_EXCEPTIONS, {
    description: 'Exceptions recorded as log records, by exception type and fingerprint.',
    unit: '{exception}',
  });
  exceptions.add(1, { [ATTR_EXCEPTION_TYPE]: type, [ATTR_EXCEPTION_FINGERPRINT]: fingerprint });
}
