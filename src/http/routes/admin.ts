import { Hono } from 'hono';
import { z } from 'zod';
import type { FaultControl } from '../../domain/ports.ts';
import type { AppEnv } from '../context.ts';
import { adminToken } from '../middleware/admin-token.ts';
import { readJson } from '../validation.ts';

const faultsSchema = z
  .object({ db_saturation: z.boolean(), redis_down: z.boolean() })
  .partial()
  .refine((f) => Object.keys(f).length > 0, 'set at least one of db_saturation, redis_down');

/** GET/PUT /admin/faults (admin token): switch the api's injected faults on and off; 404 without a configured token. */
export function adminRoutes(faults: FaultControl, token: string | undefined): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use('/admin/*', adminToken(token));
  routes.get('/admin/faults', (c) => c.json(faults.state()));
  routes.put('/admin/faults', async (c) => c.json(await faults.set(await readJson(c, faultsSchema))));
  return routes;
}
