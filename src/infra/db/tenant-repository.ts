import type { Tenant } from '../../domain/model.ts';
import type { TenantRepository } from '../../domain/ports.ts';
import type { InstrumentedDb } from './instrumented-db.ts';

/**
 * Tenants change rarely and every request needs one, so lookups are memoized in-process for a
 * short time: a request pays no DB round trip for tenant resolution.
 */
export class PgTenantRepository implements TenantRepository {
  private cache = new Map<string, { tenant: Tenant | undefined; expires: number }>();

  private readonly db: InstrumentedDb;
  private readonly ttlMs;

  constructor(db: InstrumentedDb, ttlMs = 30_000) {
    this.db = db;
    this.ttlMs = ttlMs;
  }

  async find(id: string): Promise<Tenant | undefined> {
    const hit = this.cache.get(id);
    if (hit && hit.expires > Date.now()) return hit.tenant;
    const rows = await this.db.query({ operation: 'SELECT', collection: 'tenants' })<Tenant>`SELECT id, name FROM tenants WHERE id = ${id}`;
    const tenant = rows[0];
    if (this.cache.size > 1_000) this.cache.clear();
    this.cache.set(id, { tenant, expires: Date.now() + this.ttlMs });
    return tenant;
  }

  list(): Promise<Tenant[]> {
    return this.db.query({ operation: 'SELECT', collection: 'tenants' })<Tenant>`SELECT id, name FROM tenants ORDER BY id`;
  }
}
