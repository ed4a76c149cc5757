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
  if (value instanceof Error) return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactDeep(item, depth + 1);
  }
  return out;
}
