/* global process, fetch, AbortSignal */
/**
 * Container healthcheck for images without curl: `node src/cli/healthcheck.mjs <url> [timeoutMs]`
 * exits 0 when the URL answers 2xx within the timeout (default 2 s, below compose's 5 s healthcheck
 * timeout so a hung service reports unhealthy instead of the probe being killed), 1 otherwise.
 * Plain JavaScript on purpose: compose runs it every 10 s per service, and a .ts file would make each
 * run load Node's type stripper in a second process.
 */
const target = process.argv[2] ?? 'http://127.0.0.1:8080/health/ready';
const timeoutMs = Number(process.argv[3] ?? 2_000);
try {
  const response = await fetch(target, { signal: AbortSignal.timeout(timeoutMs) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
