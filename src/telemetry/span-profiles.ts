import type { Span } from '@opentelemetry/api';

/**
 * Span profiles: the link from a trace to the CPU time its request spent (docs/profiling.md).
 *
 * Every CPU sample taken while a request runs carries the id and name of the request's local root
 * span (the SERVER span of an HTTP request, the CONSUMER span of a stream entry) as pprof labels,
 * and that span carries the same id as `pyroscope.profile.id`: Grafana shows "Profiles for this
 * span" on spans with the attribute and asks Pyroscope for the samples labelled with its id.
 * Only local roots are labelled (the convention of Grafana's own span-profile integrations): the
 * samples of child spans (DB, Redis, outgoing HTTP) are part of the root's profile.
 *
 * Without continuous profiling this is a pass-through: no attribute, no label, no cost.
 */

/** pprof label with the local root span's id (16 hex digits): Pyroscope's span-profile key. */
export const LABEL_SPAN_ID = 'span_id';
/** pprof label with the local root span's name at the time it started (`GET`, `process order-confirmations`). */
export const LABEL_SPAN_NAME = 'span_name';
/** Span attribute that tells Grafana the span has a profile; its value is the span id. */
export const ATTR_PYROSCOPE_PROFILE_ID = 'pyroscope.profile.id';

/** Runs `fn` so that CPU samples taken during it, its awaits included, carry `labels`. */
export type RunWithLabels = <T>(labels: Record<string, string>, fn: () => T) => T;

let runWithLabels: RunWithLabels | undefined;

/** Called once by the continuous profiler when it starts (src/instrumentation/profiling.ts). */
export function enableSpanProfiles(run: RunWithLabels): void {
  runWithLabels = run;
}

/** Whether samples are being labelled with spans (continuous profiling is on). */
export function spanProfilesEnabled(): boolean {
  return runWithLabels !== undefined;
}

/** The profile labels of one local root span. */
export interface SpanProfile {
  /** Runs the span's work so that its CPU samples, across awaits, carry the span's labels. */
  run<T>(fn: () => T): T;
  /** The span got its final name (an HTTP server span is named after its route when it ends). */
  rename(name: string): void;
}

/**
 * Profile labels for a local root span, and `pyroscope.profile.id` on it; undefined when
 * continuous profiling is off or the span is not recorded (nothing to link to).
 */
export function spanProfile(span: Span, name: string): SpanProfile | undefined {
  if (runWithLabels === undefined || !span.isRecording()) return undefined;
  const run = runWithLabels;
  const spanId = span.spanContext().spanId;
  span.setAttribute(ATTR_PYROSCOPE_PROFILE_ID, spanId);
  // Samples keep a reference to this object and are labelled when the profile is pushed, so a
  // rename before then reaches the samples already taken.
  const labels: Record<string, string> = { [LABEL_SPAN_ID]: spanId, [LABEL_SPAN_NAME]: name };
  return {
    run: (fn) => run(labels, fn),
    rename: (newName) => {
      labels[LABEL_SPAN_NAME] = newName;
    },
  };
}
