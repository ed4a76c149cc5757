import { createHash } from 'node:crypto';
import type { Attributes } from '@opentelemetry/api';
import { ATTR_EXCEPTION_MESSAGE, ATTR_EXCEPTION_STACKTRACE, ATTR_EXCEPTION_TYPE } from '@opentelemetry/semantic-conventions';

/**
 * What an exception says about itself on a span event and on a log record: the semconv
 * `exception.type`, `exception.message` and `exception.stacktrace`, plus our `exception.fingerprint`,
 * a stable id of "the same error thrown from the same place" that the Collector turns into a metric
 * label (span_metrics events, collector/config.yaml) and the Errors dashboard groups by.
 *
 * Fingerprint = the first 16 hex digits of SHA-256 over the type and the top FINGERPRINT_FRAMES stack
 * frames, each normalised to `function (file)`: no line or column numbers (they move with every
 * unrelated edit above them), no install directory (`/app` in compose, the checkout natively) and no
 * message (it carries ids and values). The same bug keeps its fingerprint across deploys, hosts and
 * requests; the same type thrown from another place gets another one.
 */
export const ATTR_EXCEPTION_FINGERPRINT = 'exception.fingerprint';

/** How many frames from the top of the stack identify where an exception comes from. */
export const FINGERPRINT_FRAMES = 5;

/**
 * Cardinality guard. Exception types come from code (class names), not from input, but a type that
 * does not look like a class or a code (too long, spaces, quotes: something built from data) is
 * reported as `Error`; and a process reports at most MAX_FINGERPRINTS distinct fingerprints, later
 * ones as `overflow`. Together with the Collector's `aggregation_cardinality_limit` this bounds the
 * series of traces_span_metrics_events_total whatever is thrown.
 */
export const MAX_FINGERPRINTS = 500;
const TYPE_SHAPE = /^[A-Za-z_$][\w$.:-]{0,79}$/;
const seenFingerprints = new Set<string>();

/** The exception's type: its class name (semconv: "the fully-qualified class name"), guarded. */
export function exceptionType(error: { name?: unknown; type?: unknown }): string {
  const name = typeof error.name === 'string' && error.name !== '' ? error.name : typeof error.type === 'string' ? error.type : 'Error';
  return TYPE_SHAPE.test(name) ? name : 'Error';
}

/** A stack frame without what changes between builds and hosts: `at fn (/app/src/x.ts:12:5)` → `fn (src/x.ts)`. */
export function normaliseFrame(frame: string, root: string = process.cwd()): string {
  let text = frame.trim().replace(/^at\s+/, '');
  text = text.replace(/file:\/\//g, '');
  // Query strings some module loaders append to file URLs (`x.ts?v=123`).
  text = text.replace(/\?[^\s():]*/g, '');
  // Line and column numbers, with or without the parentheses around the location.
  text = text.replace(/:\d+(?::\d+)?(?=\)?$)/, '');
  // Dependencies by package path; our own code relative to the working directory.
  text = text.replace(/[^\s(]*\/node_modules\//g, 'node_modules/');
  if (root !== '/' && root !== '') text = text.split(`${root.replace(/\/$/, '')}/`).join('');
  return text;
}

/** The top `count` frames of a V8 stack (the lines starting with `at `), Node internals left out, normalised. */
export function topFrames(stack: string | undefined, count = FINGERPRINT_FRAMES, root?: string): string[] {
  if (!stack) return [];
  return (
    stack
      .split('\n')
      // Node's own frames change with the Node version and say nothing about where the app threw.
      .filter((line) => /^\s+at\s/.test(line) && !/\(?node:internal\//.test(line))
      .slice(0, count)
      .map((line) => normaliseFrame(line, root))
  );
}

/** The fingerprint of an exception of `type` with `stack` (see the file comment), guarded in number. */
export function exceptionFingerprint(type: string, stack: string | undefined, root?: string): string {
  const fingerprint = createHash('sha256')
    .update([type, ...topFrames(stack, FINGERPRINT_FRAMES, root)].join('\n'))
    .digest('hex')
    .slice(0, 16);
  if (seenFingerprints.has(fingerprint)) return fingerprint;
  if (seenFingerprints.size >= MAX_FINGERPRINTS) return 'overflow';
  seenFingerprints.add(fingerprint);
  return fingerprint;
}

/** The attributes of the `exception` span event (and of a log record's exception) for `error`. */
export function exceptionAttributes(error: Error): Attributes {
  const type = exceptionType(error);
  const attributes: Attributes = { [ATTR_EXCEPTION_TYPE]: type };
  if (error.message) attributes[ATTR_EXCEPTION_MESSAGE] = error.message;
  if (error.stack) attributes[ATTR_EXCEPTION_STACKTRACE] = error.stack;
  attributes[ATTR_EXCEPTION_FINGERPRINT] = exceptionFingerprint(type, error.stack);
  return attributes;
}

/** Forgets the fingerprints seen so far (tests of the guard). */
export function resetFingerprintGuard(): void {
  seenFingerprints.clear();
}
