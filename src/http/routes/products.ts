import { Hono } from 'hono';
import type { ProductService } from '../../domain/products.ts';
import type { AppEnv } from '../context.ts';

/** GET /api/products: the tenant's catalogue (cache-aside). */
export function productRoutes(products: ProductService): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.get('/api/products', async (c) => {
    const list = await products.list(c.get('tenantId'));
    return c.json({ products: list.map((p) => ({ sku: p.sku, name: p.name, price_cents: p.priceCents, stock: p.stock })) });
  });
  return routes;
}
