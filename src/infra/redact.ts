import { redactUrl, redactUrlsInText } from './redact-url.ts';

/**
 * Deep redaction of sensitive keys. pino's own `redact` only follows explicit paths (one wildcard
 * level), while a secret can sit at any depth of a logged object, so log objects are walked here.
 */
export const REDACTED = '[REDACTED]';

/**
 * Keys whose whole value is a secret. Card fields include the whole `card` object (the payments API
 * names its number just `number`), the expiry and the holder; a `dsn` (Sentry-style) is a key itself.
 */
export const SENSITIVE_KEY =
  /pass(word|wd|phrase)?$|secret|token|api[-_]?key|authori[sz]ation|cookie|credit[-_]?card|^card$|card[-_]?(number|no|holder)$|^pan$|cvv|cvc|^exp(iry|iration)?([-_]?(date|month|year))?$|ssn|private[-_]?key|dsn$|connection[-_]?string/i;

/** Keys that hold a URL: its userinfo and secret query parameters are redacted, the rest kept (src/infra/redact-url.ts). */
export const URL_KEY = /(url|uri|href|endpoint|target)$/i;

const MAX_DEPTH = 8;

/** Returns a copy of `value` with every sensitive key's value replaced; non-objects pass through. */
export function redactDeep(value: unknown, depth = 0): unknown {
  // Any string may embed a URL with credentials (an error text, a loadgen abort reason).
  if (typeof value === 'string') return redactUrlsInText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof Error) return redactError(value, depth);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) out[key] = redactEntry(key, item, depth);
  return out;
}

function redactEntry(key: string, item: unknown, depth: number): unknown {
  if (SENSITIVE_KEY.test(key)) return REDACTED;
  if (typeof item === 'string' && URL_KEY.test(key)) return redactUrl(item);
  return redactDeep(item, depth + 1);
}

/**
 * Driver and HTTP client errors carry their request as enumerable fields (`err.config.password`,
 * `err.options.headers.authorization`, `err.token`), which pino's error serializer copies into the
 * log record. The copy keeps the prototype (so the serializer still sees an Error of the same type),
 * name, message, stack and cause, and redacts the enumerable fields like any other object.
 */
function redactError(error: Error, depth: number): Error {
  const copy = Object.create(Object.getPrototypeOf(error) as object) as Error;
  for (const key of ['name', 'message', 'stack'] as const) {
    // A driver's message (and so the stack's first line) can quote the URL it failed to reach.
    const text = typeof error[key] === 'string' ? redactUrlsInText(error[key]) : error[key];
    if (Object.hasOwn(error, key)) Object.defineProperty(copy, key, { value: text, writable: true, configurable: true });
  }
  if (error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: redactDeep(error.cause, depth + 1), writable: true, configurable: true });
  }
  const nested = (error as { errors?: unknown }).errors; // AggregateError: non-enumerable, serialized by pino
  if (Array.isArray(nested) && !Object.prototype.propertyIsEnumerable.call(error, 'errors')) {
    Object.defineProperty(copy, 'errors', { value: redactDeep(nested, depth + 1), writable: true, configurable: true });
  }
  const fields = copy as unknown as Record<string, unknown>;
  for (const [key, item] of Object.entries(error)) fields[key] = redactEntry(key, item, depth);
  return copy;
}
