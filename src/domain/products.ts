import { ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { withSpan } from '../telemetry/tracing.ts';
import { cacheAside } from './cache-aside.ts';
import type { Product } from './model.ts';
import type { Cache, Logger, ProductRepository } from './ports.ts';

/** The tenant's catalogue, cached briefly: stock shown here is informative, orders lock the real rows. */
export class ProductService {
  private readonly products: ProductRepository;
  private readonly cache: Cache;
  private readonly logger: Logger;
  private readonly ttlSeconds: number;

  constructor(products: ProductRepository, cache: Cache, logger: Logger, ttlSeconds: number) {
    this.products = products;
    this.cache = cache;
    this.logger = logger;
    this.ttlSeconds = ttlSeconds;
  }

  list(tenantId: string): Promise<Product[]> {
    return withSpan('list_products', { attributes: { [ATTR_TENANT_ID]: tenantId } }, () =>
      cacheAside(this.cache, this.logger, 'products', productsCacheKey(tenantId), this.ttlSeconds, () => this.products.list(tenantId)),
    );
  }
}

export const productsCacheKey = (tenantId: string) => `products:${tenantId}`;
