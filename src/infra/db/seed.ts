import type { Sql } from 'postgres';
import { DEMO_PRODUCTS } from '../../domain/catalogue.ts';

/** Demo tenants and their catalogue. Stock is large so that long load runs do not empty the shop. */
export const SEED_TENANTS = [
  { id: 'acme', name: 'Acme Corp' },
  { id: 'globex', name: 'Globex' },
  { id: 'initech', name: 'Initech' },
] as const;

export const SEED_STOCK = 1_000_000;

/** Inserts what is missing and leaves existing rows (and their stock) alone: idempotent. */
export async function seed(sql: Sql): Promise<void> {
  await sql.begin(async (tx) => {
    for (const tenant of SEED_TENANTS) {
      await tx`INSERT INTO tenants (id, name) VALUES (${tenant.id}, ${tenant.name}) ON CONFLICT (id) DO NOTHING`;
      for (const p of DEMO_PRODUCTS) {
        await tx`
          INSERT INTO products (tenant_id, sku, name, price_cents, stock)
          VALUES (${tenant.id}, ${p.sku}, ${p.name}, ${p.priceCents}, ${SEED_STOCK})
          ON CONFLICT (tenant_id, sku) DO NOTHING`;
      }
    }
  });
}
