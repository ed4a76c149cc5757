import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDb } from '../../src/infra/db/connect.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { LogCapture } from '../helpers/in-process-stack.ts';
import { TEST_DATABASE_URL } from '../helpers/backends.ts';
import { eventually, metricPoints } from '../helpers/telemetry.ts';

const POOL = 'pool-probe';
const db = connectDb(
  { url: TEST_DATABASE_URL, poolMax: 2, slowQueryMs: 10_000, poolName: POOL },
  createLogger('pool', 'info', new LogCapture()),
);
const admin = postgres(TEST_DATABASE_URL, { max: 1, onnotice: () => {} });
afterAll(async () => {
  await db.end();
  await admin.end();
});

/** The pool's metric points now: connections by state, pending requests and max. */
async function pool() {
  const mine = (name: string) =>
    metricPoints(name).then((points) => points.filter((p) => p.attributes['db.client.connection.pool.name'] === POOL));
  const count = await mine('db.client.connection.count');
  const state = (s: string) => count.find((p) => p.attributes['db.client.connection.state'] === s)?.value;
  return {
    used: state('used'),
    idle: state('idle'),
    pending: (await mine('db.client.connection.pending_requests'))[0]?.value,
    max: (await mine('db.client.connection.max'))[0]?.value,
  };
}

describe('db.client.connection.* follow the pool', () => {
  it('counts used, idle and pending connections from the real sockets and operations', async () => {
    expect(await pool()).toEqual({ used: 0, idle: 0, pending: 0, max: 2 });

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const pids: number[] = [];
    const holders = [1, 2].map(() =>
      db.transaction(async (q) => {
        const [row] = await q({ operation: 'SELECT' })<{ pid: number }>`SELECT pg_backend_pid() AS pid`;
        pids.push(row!.pid);
        await gate;
      }),
    );
    await eventually(
      () => pids.length,
      (n) => n === 2,
    );
    const waiting = db.query({ operation: 'SELECT' })`SELECT 1`;
    expect(await pool()).toEqual({ used: 2, idle: 0, pending: 1, max: 2 });

    release();
    await Promise.all([...holders, waiting]);
    // Both connections stay open and free until postgres.js's idle timeout.
    expect(await pool()).toEqual({ used: 0, idle: 2, pending: 0, max: 2 });

    // The server drops them: the sockets close, and the metric sees it.
    await admin`SELECT pg_terminate_backend(pid) FROM unnest(${pids}::int[]) AS pid`;
    expect(await eventually(pool, (p) => p.idle === 0)).toEqual({ used: 0, idle: 0, pending: 0, max: 2 });
  });
});
