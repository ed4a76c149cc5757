import { Hono } from 'hono';
import { z } from 'zod';
import type { Order } from '../../domain/model.ts';
import type { OrderService } from '../../domain/orders.ts';
import type { SessionStore } from '../../domain/ports.ts';
import type { AppEnv } from '../context.ts';
import { authenticated } from '../middleware/auth.ts';
import { parseWith, readJson } from '../validation.ts';

const orderSchema = z.object({
  items: z
    .array(z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().min(1).max(100) }))
    .min(1)
    .max(20),
  payment: z.object({
    card_number: z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits'),
    expiry: z.string().regex(/^(0[1-9]|1[0-2])\/\d{2}$/, 'must be MM/YY'),
    cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
  }),
});

const orderIdParam = z.object({ id: z.uuid() });

const orderJson = (order: Order) => ({
  id: order.id,
  status: order.status,
  total_cents: order.totalCents,
  failure_reason: order.failureReason,
  lines: order.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unit_price_cents: l.unitPriceCents })),
  created_at: order.createdAt,
  confirmed_at: order.confirmedAt,
});

/** POST /api/orders (process_order) and GET /api/orders/:id, both for the signed-in user. */
export function orderRoutes(orders: OrderService, sessions: SessionStore): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/api/orders', authenticated(sessions), async (c) => {
    const input = await readJson(c, orderSchema);
    const session = c.get('session');
    const order = await orders.place({
      tenantId: session.tenantId,
      userId: session.userId,
      items: input.items,
      card: { cardNumber: input.payment.card_number, expiry: input.payment.expiry, cvc: input.payment.cvc },
    });
    return c.json(orderJson(order), 201);
  });
  routes.get('/api/orders/:id', authenticated(sessions), async (c) => {
    const { id } = parseWith(orderIdParam, c.req.param());
    const session = c.get('session');
    return c.json(orderJson(await orders.get(session.tenantId, session.userId, id)));
  });
  return routes;
}
