/**
 * Container healthcheck without curl in the image: `node src/services/healthcheck.ts <url>` exits 0
 * when the URL answers 2xx within 2 s.
 */
const target = process.argv[2] ?? 'http://127.0.0.1:8080/health/ready';
try {
  const response = await fetch(target, { signal: AbortSignal.timeout(2_000) });
  process.exit(response.ok ? 0 : 1);
} catch {
  process.exit(1);
}
