/** What a span may say about a statement: its parameterized text, operation and a short summary. */
export interface StatementInfo {
  text: string;
  operation: string;
  summary: string;
  /** The one table the statement reads or writes; absent when it names several, or none. */
  collection?: string;
}

const TARGET = /\b(?:from|into|update|join)\s+("?[\w.]+"?)/gi;

/**
 * A tagged template's literal parts are one frozen array per call site, reused on every call: the
 * description is computed once per statement in the code, not once per execution (on checkout the
 * regular expressions cost about 50 µs per order when run every time).
 */
const described = new WeakMap<readonly string[], StatementInfo>();

/**
 * Builds the statement's text from the template's literal parts with `$n` in place of every
 * interpolated value, so parameter values can never reach a span or a log line.
 */
export function describeStatement(strings: readonly string[]): StatementInfo {
  let info = described.get(strings);
  if (!info) {
    // Frozen: every execution of the statement shares it.
    info = Object.freeze(describe(strings));
    described.set(strings, info);
  }
  return info;
}

function describe(strings: readonly string[]): StatementInfo {
  let text = strings[0] ?? '';
  for (let i = 1; i < strings.length; i++) text += `$${i}${strings[i]}`;
  text = text.replace(/\s+/g, ' ').trim();
  const operation = (/^\s*(\w+)/.exec(text)?.[1] ?? 'QUERY').toUpperCase();
  const targets = [...text.matchAll(TARGET)].map((m) => (m[1] ?? '').replaceAll('"', ''));
  const target = targets[0];
  const summary = target ? `${operation} ${target}` : operation;
  // Only a statement that names a single table gets db.collection.name: a join or a subquery touches
  // several, and semconv then wants no collection rather than a guess.
  const single = targets.length === 1 && !/\(\s*select\b/i.test(text);
  return single ? { text, operation, summary, collection: target } : { text, operation, summary };
}

/** The statement cut for a log line: long statements are truncated to `max` characters. */
export function truncateStatement(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
