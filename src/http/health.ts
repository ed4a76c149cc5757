import { Hono } from 'hono';
import type { DependencyCheck } from '../domain/ports.ts';
import { withoutTracing } from '../telemetry/tracing.ts';

export interface CheckResult {
  status: 'ok' | 'fail';
  latency_ms: number;
  error?: string;
}

/** Runs every check in parallel, each bounded by `timeoutMs`, without producing spans. */
export async function runChecks(checks: DependencyCheck[], timeoutMs: number): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    checks.map(async (dependency): Promise<[string, CheckResult]> => {
      const started = performance.now();
      let timer: NodeJS.Timeout | undefined;
      try {
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        await Promise.race([withoutTracing(() => dependency.check()), timeout]);
        return [dependency.name, { status: 'ok', latency_ms: elapsed(started) }];
      } catch (error) {
        return [dependency.name, { status: 'fail', latency_ms: elapsed(started), error: (error as Error).message }];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

const elapsed = (started: number) => Math.round((performance.now() - started) * 100) / 100;

/**
 * `/health/live`: the process answers. `/health/ready`: every dependency answers, else 503 with the
 * failing check named, so an orchestrator stops routing traffic here until it recovers.
 */
export function healthRoutes(checks: DependencyCheck[], timeoutMs: number): Hono {
  const health = new Hono();
  health.get('/health/live', (c) => c.json({ status: 'ok' }));
  health.get('/health/ready', async (c) => {
    const results = await runChecks(checks, timeoutMs);
    const ok = Object.values(results).every((r) => r.status === 'ok');
    return c.json({ status: ok ? 'ok' : 'fail', checks: results }, ok ? 200 : 503);
  });
  return health;
}
