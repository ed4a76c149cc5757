import type { Hono } from 'hono';
import { z } from 'zod';
import type { GatewaySimulator, GatewaySettings } from '../domain/gateway-simulator.ts';
import type { Logger } from '../domain/ports.ts';
import { createBaseApp, type BaseAppOptions } from './base-app.ts';
import type { AppEnv } from './context.ts';
import { errorBody } from './errors.ts';
import { OnDemandProfiler } from '../profiling/on-demand.ts';
import { adminToken } from './middleware/admin-token.ts';
import { profilingRoutes } from './routes/profiling.ts';
import { readJson } from './validation.ts';
import { sleep } from '../util/sleep.ts';

const chargeSchema = z.object({
  order_id: z.uuid(),
  amount_cents: z.number().int().positive(),
  currency: z.enum(['USD']),
  card: z.object({ number: z.string().regex(/^\d{12,19}$/), expiry: z.string(), cvc: z.string() }),
});

const settingsSchema = z
  .object({
    latency_ms: z.number().int().min(0).max(60_000),
    failure_rate: z.number().min(0).max(1),
    decline_rate: z.number().min(0).max(1),
  })
  .partial()
  .refine((s) => Object.keys(s).length > 0, 'set at least one of latency_ms, failure_rate, decline_rate');

const settingsJson = (s: GatewaySettings) => ({ latency_ms: s.latencyMs, failure_rate: s.failureRate, decline_rate: s.declineRate });

/** The fake payment gateway: POST /charges (201 approved, 200 declined, 503 gateway error), and GET/PUT /admin/config (admin token) to tune it live. */
export function createPaymentsApp(
  options: BaseAppOptions & {
    simulator: GatewaySimulator;
    adminToken: string | undefined;
    logger: Logger;
    profiler?: OnDemandProfiler;
    /** HEAP_SNAPSHOT_ENABLED (src/http/routes/profiling.ts): off unless true. */
    heapSnapshots?: boolean;
  },
): Hono<AppEnv> {
  const { simulator, logger } = options;
  return createBaseApp(options, (app) => {
    app.post('/charges', async (c) => {
      const charge = await readJson(c, chargeSchema);
      const outcome = simulator.decide();
      await sleep(outcome.latencyMs);
      const fields = { order_id: charge.order_id, amount_cents: charge.amount_cents, latency_ms: outcome.latencyMs };
      if (outcome.kind === 'failed') {
        logger.error(fields, 'charge_gateway_error');
        return c.json(errorBody(c, 'gateway_error', 'the card network did not answer'), 503);
      }
      if (outcome.kind === 'declined') {
        logger.info({ ...fields, reason: outcome.reason }, 'charge_declined');
        // A decline is a charge the gateway processed, answered 200 with its result: an HTTP error
        // status would mark the caller's client span ERROR (HTTP semconv) for a business outcome.
        return c.json({ status: 'declined', reason: outcome.reason }, 200);
      }
      logger.info(fields, 'charge_approved');
      return c.json({ status: 'approved', charge_id: outcome.chargeId }, 201);
    });
    app.use('/admin/*', adminToken(options.adminToken));
    app.get('/admin/config', (c) => c.json(settingsJson(simulator.current())));
    app.put('/admin/config', async (c) => {
      const changes = await readJson(c, settingsSchema);
      const updated = simulator.update({
        ...(changes.latency_ms === undefined ? {} : { latencyMs: changes.latency_ms }),
        ...(changes.failure_rate === undefined ? {} : { failureRate: changes.failure_rate }),
        ...(changes.decline_rate === undefined ? {} : { declineRate: changes.decline_rate }),
      });
      logger.warn({ settings: settingsJson(updated) }, 'gateway_settings_changed');
      return c.json(settingsJson(updated));
    });
    app.route('/', profilingRoutes(options.profiler ?? new OnDemandProfiler(), options.adminToken, 'payments', options.heapSnapshots));
  });
}
