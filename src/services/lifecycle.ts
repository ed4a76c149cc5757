import type { Server } from 'node:http';
import type { DependencyCheck } from '../domain/ports.ts';
import type { Logger } from '../infra/logger.ts';
import { runChecks } from '../http/health.ts';

const TELEMETRY_SHUTDOWN = Symbol.for('otelkit.telemetry.shutdown');

/**
 * Start-up gate: waits for every dependency with bounded retries. If one stays down the process logs
 * a fatal `startup_failed` line naming it and exits non-zero, so the orchestrator restarts it
 * instead of keeping a half-working service.
 */
export async function waitForDependencies(
  checks: DependencyCheck[],
  options: { retries: number; delayMs: number; timeoutMs: number },
  logger: Logger,
): Promise<void> {
  for (let attempt = 1; attempt <= options.retries; attempt++) {
    const results = await runChecks(checks, options.timeoutMs);
    const failing = Object.entries(results).filter(([, r]) => r.status === 'fail');
    if (failing.length === 0) return;
    const dependencies = Object.fromEntries(failing.map(([name, r]) => [name, r.error]));
    if (attempt === options.retries) {
      logger.fatal({ dependencies, attempts: attempt }, 'startup_failed');
      await exitAfterFlush(1);
    }
    logger.warn({ dependencies, attempt, retries: options.retries }, 'dependency_unavailable');
    await new Promise((resolve) => setTimeout(resolve, options.delayMs));
  }
}

/**
 * SIGTERM/SIGINT: stop accepting connections and let in-flight requests finish, close the service's
 * own resources (pools, consumers), and only then flush traces, metrics and logs. A second signal,
 * or the timeout, forces the exit.
 */
export function handleShutdown(
  options: { server?: Server; close: Array<() => Promise<unknown>>; timeoutMs: number },
  logger: Logger,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) process.exit(1);
    stopping = true;
    logger.info({ signal }, 'shutdown_started');
    const force = setTimeout(() => {
      logger.error({ timeout_ms: options.timeoutMs }, 'shutdown_timed_out');
      process.exit(1);
    }, options.timeoutMs);
    force.unref();
    if (options.server) await closeServer(options.server);
    for (const close of options.close) await close().catch((error: unknown) => logger.error({ err: error }, 'shutdown_step_failed'));
    logger.info({ signal }, 'shutdown_completed');
    await exitAfterFlush(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/**
 * Stops listening, then closes each keep-alive connection as soon as its last response is sent:
 * `server.close()` alone only closes the connections idle at that instant and would wait for the
 * others' keep-alive timeout (longer than the shutdown timeout), so the flush would never run.
 */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const sweep = setInterval(() => server.closeIdleConnections(), 50);
    server.close(() => {
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** Flushes every telemetry signal (the bootstrap publishes its shutdown on a global symbol), then exits. */
export async function exitAfterFlush(code: number): Promise<never> {
  const shutdown = (globalThis as Record<symbol, (() => Promise<void>) | undefined>)[TELEMETRY_SHUTDOWN];
  await shutdown?.();
  process.exit(code);
}
