import { Readable } from 'node:stream';
import { Hono } from 'hono';
import { z } from 'zod';
import { ConflictError, NotFoundError } from '../../domain/errors.ts';
import { MAX_PROFILE_SECONDS, ProfilerBusyError, type OnDemandProfiler } from '../../profiling/on-demand.ts';
import type { AppEnv } from '../context.ts';
import { adminToken } from '../middleware/admin-token.ts';
import { parseWith } from '../validation.ts';

const querySchema = z.object({
  type: z.enum(['cpu', 'heap']).default('cpu'),
  seconds: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_PROFILE_SECONDS, `at most ${MAX_PROFILE_SECONDS} seconds (a longer profile keeps the sampler on the service for longer)`)
    .default(30),
});

/**
 * POST /admin/profile?type=cpu&seconds=N (admin token): a CPU profile of this process over the next N
 * seconds (1 to MAX_PROFILE_SECONDS), answered as a `.cpuprofile`; `type=heap` answers a heap
 * snapshot. 400 outside the bounds, 409 while another profile is being taken, 401 without the
 * token, 404 when the service has no token configured. `npm run profile` is the client.
 *
 * A heap snapshot holds every string in memory: the database and Redis URLs with their passwords,
 * session tokens, the admin token itself, request bodies with passwords and card numbers. So it
 * needs more than the admin token: `heapSnapshots` (HEAP_SNAPSHOT_ENABLED) must be switched on too,
 * and is off by default (docs/security.md); off, `type=heap` answers 404 and says what to set.
 */
export function profilingRoutes(
  profiler: OnDemandProfiler,
  token: string | undefined,
  service: string,
  heapSnapshots = false,
): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use('/admin/profile', adminToken(token));
  routes.post('/admin/profile', async (c) => {
    const query = parseWith(querySchema, c.req.query());
    const stamp = new Date()
      .toISOString()
      .replaceAll(':', '-')
      .replace(/\.\d+Z$/, 'Z');
    try {
      if (query.type === 'heap') {
        if (!heapSnapshots) {
          throw new NotFoundError(
            'heap_snapshot_disabled',
            'heap snapshots are off on this service (they contain every secret in memory): set HEAP_SNAPSHOT_ENABLED=true to allow them',
          );
        }
        const snapshot = profiler.heapSnapshot();
        c.header('content-disposition', `attachment; filename="${service}-${stamp}.heapsnapshot"`);
        return c.body(Readable.toWeb(snapshot) as ReadableStream, 200, { 'content-type': 'application/json' });
      }
      const profile = await profiler.cpuProfile(query.seconds);
      c.header('content-disposition', `attachment; filename="${service}-${stamp}.cpuprofile"`);
      return c.json(profile);
    } catch (error) {
      if (error instanceof ProfilerBusyError) throw new ConflictError('profiler_busy', `${error.message}; try again when it is done`);
      throw error;
    }
  });
  return routes;
}
