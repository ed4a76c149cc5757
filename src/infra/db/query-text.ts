/**
 * What the code declares about a statement where it writes it. The PostgreSQL conventions say
 * `db.operation.name` and `db.collection.name` SHOULD NOT be parsed from the query text, so nothing
 * here reads the SQL: the call site names the operation, the one table it works on (none for a
 * statement on several, or none) and, when it touches more than that table, the `db.query.summary`:
 * every operation and target in order, as written (`INSERT order_lines SELECT orders`).
 */
export interface DeclaredStatement {
  operation: string;
  collection?: string;
  summary?: string;
}

/** What a span may say about a statement: its parameterized text, operation and a short summary. */
export interface StatementInfo {
  text: string;
  operation: string;
  summary: string;
  collection?: string;
}

/**
 * A tagged template's literal parts are one frozen array per call site, reused on every call: the
 * text is built once per statement in the code, not once per execution.
 */
const texts = new WeakMap<readonly string[], string>();

/**
 * The declaration plus the statement's text, built from the template's literal parts with `$n` in
 * place of every interpolated value, so parameter values can never reach a span or a log line.
 * The summary defaults to `{operation} {collection}` (or the operation alone).
 */
export function describeStatement(declared: DeclaredStatement, strings: readonly string[]): StatementInfo {
  let text = texts.get(strings);
  if (text === undefined) {
    text = parameterize(strings);
    texts.set(strings, text);
  }
  const { operation, collection } = declared;
  const summary = declared.summary ?? (collection ? `${operation} ${collection}` : operation);
  return collection ? { text, operation, summary, collection } : { text, operation, summary };
}

function parameterize(strings: readonly string[]): string {
  let text = strings[0] ?? '';
  for (let i = 1; i < strings.length; i++) text += `$${i}${strings[i]}`;
  return text.replace(/\s+/g, ' ').trim();
}

/** The statement cut for a log line: long statements are truncated to `max` characters. */
export function truncateStatement(text: string, max = 200): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
