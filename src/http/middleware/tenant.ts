import type { MiddlewareHandler } from 'hono';
import { DependencyUnavailableError, NotFoundError, ValidationError } from '../../domain/errors.ts';
import type { TenantRepository } from '../../domain/ports.ts';
import { ATTR_TENANT_ID } from '../../telemetry/attributes.ts';
import { currentLogContext } from '../../telemetry/log-context.ts';
import { shopMetrics } from '../../telemetry/shop-metrics.ts';
import { setActiveSpanAttributes } from '../../telemetry/tracing.ts';
import type { AppEnv } from '../context.ts';

const TENANT_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

/**
 * Resolves the tenant from X-Tenant-ID: missing or malformed → 400, unknown → 404, tenant store down
 * → 503 (like the session store: an outage of a dependency, not a bug of the service).
 */
export function tenant(tenants: TenantRepository): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const id = c.req.header('x-tenant-id');
    if (!id) throw new ValidationError('tenant_required', 'the X-Tenant-ID header is required');
    if (!TENANT_ID.test(id)) throw new ValidationError('tenant_invalid', 'X-Tenant-ID must be a lowercase slug');
    let known: Awaited<ReturnType<TenantRepository['find']>>;
    try {
      known = await tenants.find(id);
    } catch (cause) {
      throw new DependencyUnavailableError('tenant_store_unavailable', 'tenants cannot be checked right now', undefined, { cause });
    }
    if (!known) throw new NotFoundError('tenant_not_found', `unknown tenant ${id}`);
    c.set('tenantId', id);
    const fields = currentLogContext();
    if (fields) fields.tenant_id = id;
    setActiveSpanAttributes({ [ATTR_TENANT_ID]: id });
    shopMetrics().apiCalls.add(1, { [ATTR_TENANT_ID]: id });
    await next();
  };
}
