import type { Server } from 'node:http';
import type { DependencyCheck } from '../domain/ports.ts';
import type { Logger } from '../infra/logger.ts';
import { runChecks } from '../http/health.ts';
import { exitAfterFlush } from '../telemetry/flush.ts';
import { sleep } from '../util/sleep.ts';

/** The share of the shutdown timeout the drain may use; the flush gets the rest. */
const DRAIN_SHARE = 0.4;

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
    await sleep(options.delayMs);
  }
}

/**
 * SIGTERM/SIGINT: stop accepting connections and let in-flight requests finish, close the service's
 * own resources (pools, consumers), and only then flush traces, metrics and logs.
 *
 * Every way out flushes the telemetry first, because the record of a shutdown that went wrong is the
 * one worth keeping. The drain gets 40% of `timeoutMs`: a request that outlives it (a 60 s profile
 * capture, a hung dependency) is cut (`shutdown_timed_out`), and the rest is left for the flush (the
 * exporters' own timeouts are at most half of `timeoutMs`, see otel-defaults.ts). A second signal
 * (`shutdown_forced`, an impatient operator or orchestrator) skips the rest of the drain and flushes.
 * Both exit 1. Only if the flush itself hangs does the timer at `timeoutMs` exit without it.
 */
export function handleShutdown(
  options: { server?: Server; close: Array<() => Promise<unknown>>; timeoutMs: number },
  logger: Logger,
): void {
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) {
      logger.warn({ signal }, 'shutdown_forced');
      options.server?.closeAllConnections();
      await exitAfterFlush(1);
    }
    stopping = true;
    logger.info({ signal }, 'shutdown_started');
    const force = setTimeout(() => process.exit(1), options.timeoutMs);
    force.unref();
    const drainMs = Math.floor(options.timeoutMs * DRAIN_SHARE);
    if (!(await withinDeadline(drain(options, logger), drainMs))) {
      logger.error({ timeout_ms: drainMs }, 'shutdown_timed_out');
      options.server?.closeAllConnections();
      await exitAfterFlush(1);
    }
    logger.info({ signal }, 'shutdown_completed');
    await exitAfterFlush(0);
  };
  // `on`, not `once`: with `once` the second signal would find no listener and get Node's default
  // action, a kill with nothing flushed.
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

async function drain(options: { server?: Server; close: Array<() => Promise<unknown>> }, logger: Logger): Promise<void> {
  if (options.server) await closeServer(options.server);
  for (const close of options.close) await close().catch((error: unknown) => logger.error({ err: error }, 'shutdown_step_failed'));
}

/** Whether `work` settles within `ms`; it is not cancelled (the process exits soon after anyway). */
function withinDeadline(work: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  return Promise.race([work.then(() => true), deadline]).finally(() => clearTimeout(timer));
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
