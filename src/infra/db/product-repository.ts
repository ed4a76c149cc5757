import type { Product } from '../../domain/model.ts';
import type { ProductRepository } from '../../domain/ports.ts';
import type { InstrumentedDb } from './instrumented-db.ts';

export class PgProductRepository implements ProductRepository {
  private readonly db: InstrumentedDb;

  constructor(db: InstrumentedDb) {
    this.db = db;
  }

  list(tenantId: string): Promise<Product[]> {
    return this.db.query({ operation: 'SELECT', collection: 'products' })<Product>`
      SELECT sku, name, price_cents AS "priceCents", stock FROM products WHERE tenant_id = ${tenantId} ORDER BY sku`;
  }
}
