/**
 * Credentials in URLs: the userinfo before `@` (a DATABASE_URL, a REDIS_URL with a password,
 * a PROFILING_SERVER_URL or loadgen target with basic auth) and secret query parameters
 * (`?password=`, `?sslpassword=`, `?token=`). Whatever logs or exports a URL passes it through here.
 */
const REDACTED = '[REDACTED]';

/** The userinfo part of any `scheme://userinfo@` inside a longer text (an error message, a stack). */
const USERINFO_IN_TEXT = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;

/** Query parameters whose value is a secret (the names of src/infra/redact.ts SENSITIVE_KEY, and ours). */
const SECRET_PARAM = /pass(word|wd|phrase)?$|secret|token|api[-_]?key|auth|key$|signature|sig$|credential/i;

/**
 * `value` with its userinfo and secret query parameters replaced by `[REDACTED]`; the rest (scheme,
 * host, port, path, other parameters) is kept, so a log still says where a service connects.
 * Not a URL: the text with any embedded `scheme://userinfo@` redacted.
 */
export function redactUrl(value: string): string {
  if (!URL.canParse(value)) return redactUrlsInText(value);
  const url = new URL(value);
  let changed = false;
  if (url.username || url.password) {
    url.username = REDACTED;
    url.password = '';
    changed = true;
  }
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) {
      url.searchParams.set(name, REDACTED);
      changed = true;
    }
  }
  // Unchanged URLs are returned as given: URL serialization would add a trailing slash, lower-case
  // the host, etc., and a log that shows a setting should show it as it was written.
  return changed ? url.toString().replaceAll('%5BREDACTED%5D', REDACTED) : value;
}

/** `text` with the userinfo of every URL in it redacted (cheap when there is none). */
export function redactUrlsInText(text: string): string {
  if (!text.includes('://') || !text.includes('@')) return text;
  return text.replace(USERINFO_IN_TEXT, `$1${REDACTED}@`);
}

/** `url` without its userinfo, and the user and password it had (decoded): for clients that take basic auth apart. */
export function splitUrlCredentials(value: string): { url: string; username?: string; password?: string } {
  const url = new URL(value);
  if (!url.username && !url.password) return { url: value };
  const username = decodeURIComponent(url.username);
  const password = decodeURIComponent(url.password);
  url.username = '';
  url.password = '';
  return { url: url.toString().replace(/\/$/, ''), username, password };
}
