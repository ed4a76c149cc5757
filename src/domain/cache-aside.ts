import { ATTR_CACHE_HIT, ATTR_CACHE_NAME, ATTR_CACHE_RESULT } from '../telemetry/attributes.ts';
import { shopMetrics } from '../telemetry/shop-metrics.ts';
import { setActiveSpanAttributes } from '../telemetry/tracing.ts';
import type { Cache, Logger } from './ports.ts';

/**
 * Cache-aside read: the cached value when there is one, else `load()` written back with a TTL.
 * Hits and misses are counted and marked on the active span. A Redis outage degrades to a miss
 * (logged), never to a failed request: the database still answers.
 */
export async function cacheAside<T>(
  cache: Cache,
  logger: Logger,
  name: string,
  key: string,
  ttlSeconds: number,
  load: () => Promise<T>,
): Promise<T> {
  let cached: T | undefined;
  try {
    cached = await cache.get<T>(key);
  } catch (error) {
    logger.warn({ err: error, cache: name }, 'cache_unavailable');
  }
  const hit = cached !== undefined;
  shopMetrics().cacheRequests.add(1, { [ATTR_CACHE_NAME]: name, [ATTR_CACHE_RESULT]: hit ? 'hit' : 'miss' });
  setActiveSpanAttributes({ [ATTR_CACHE_HIT]: hit });
  if (hit) return cached as T;
  const value = await load();
  try {
    await cache.set(key, value, ttlSeconds);
  } catch (error) {
    logger.warn({ err: error, cache: name }, 'cache_unavailable');
  }
  return value;
}
