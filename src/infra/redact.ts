/**
 * Deep redaction of sensitive keys. pino's own `redact` only follows explicit paths (one wildcard
 * level), while a secret can sit at any depth of a logged object, so log objects are walked here.
 */
export const REDACTED = '[REDACTED]';

export const SENSITIVE_KEY =
  /pass(word|wd|phrase)?$|secret|token|api[-_]?key|authori[sz]ation|cookie|credit[-_]?card|card[-_]?(number|no)$|^pan$|cvv|cvc|ssn|private[-_]?key/i;

const MAX_DEPTH = 8;

/** Returns a copy of `value` with every sensitive key's value replaced; non-objects pass through. */
export function redactDeep(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[TRUNCATED]';
  if (Array.isArray(value)) return value.map((item) => redactDeep(item, depth + 1));
  if (value instanceof Error) return redactError(value, depth);
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactDeep(item, depth + 1);
  }
  return out;
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
    if (Object.hasOwn(error, key)) Object.defineProperty(copy, key, { value: error[key], writable: true, configurable: true });
  }
  if (error.cause !== undefined) {
    Object.defineProperty(copy, 'cause', { value: redactDeep(error.cause, depth + 1), writable: true, configurable: true });
  }
  const nested = (error as { errors?: unknown }).errors; // AggregateError: non-enumerable, serialized by pino
  if (Array.isArray(nested) && !Object.prototype.propertyIsEnumerable.call(error, 'errors')) {
    Object.defineProperty(copy, 'errors', { value: redactDeep(nested, depth + 1), writable: true, configurable: true });
  }
  const fields = copy as unknown as Record<string, unknown>;
  for (const [key, item] of Object.entries(error)) {
    fields[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactDeep(item, depth + 1);
  }
  return copy;
}
