import type { Sql } from 'postgres';

/** Schema versions, applied in order, each once. Never edit a released entry: append a new one. */
export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'shop_schema',
    sql: `
      CREATE TABLE tenants (
        id text PRIMARY KEY,
        name text NOT NULL
      );
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        email text NOT NULL,
        name text NOT NULL,
        password_hash text NOT NULL,
        signup_source text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (tenant_id, email)
      );
      CREATE TABLE products (
        tenant_id text NOT NULL REFERENCES tenants(id),
        sku text NOT NULL,
        name text NOT NULL,
        price_cents integer NOT NULL CHECK (price_cents > 0),
        stock integer NOT NULL CHECK (stock >= 0),
        PRIMARY KEY (tenant_id, sku)
      );
      CREATE TABLE orders (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        tenant_id text NOT NULL REFERENCES tenants(id),
        user_id uuid NOT NULL REFERENCES users(id),
        status text NOT NULL CHECK (status IN ('pending', 'completed', 'failed')),
        total_cents integer NOT NULL,
        failure_reason text,
        created_at timestamptz NOT NULL DEFAULT now(),
        confirmed_at timestamptz
      );
      CREATE INDEX orders_tenant_user ON orders (tenant_id, user_id);
      CREATE TABLE order_lines (
        order_id uuid NOT NULL REFERENCES orders(id) ON DELETE CASCADE,
        sku text NOT NULL,
        quantity integer NOT NULL CHECK (quantity > 0),
        unit_price_cents integer NOT NULL,
        PRIMARY KEY (order_id, sku)
      );
    `,
  },
];

/** Any fixed number: concurrent starters of the api serialize on this advisory lock. */
const MIGRATION_LOCK = 4_242_001;

/** Applies pending migrations in one transaction under an advisory lock; safe to run from every replica. */
export async function migrate(sql: Sql): Promise<number[]> {
  return sql.begin(async (tx) => {
    await tx`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`;
    await tx`CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`;
    const rows = await tx<{ version: number }[]>`SELECT version FROM schema_migrations`;
    const done = new Set(rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await tx.unsafe(migration.sql);
      await tx`INSERT INTO schema_migrations (version, name) VALUES (${migration.version}, ${migration.name})`;
      applied.push(migration.version);
    }
    return applied;
  });
}
