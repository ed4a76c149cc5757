import type { RateLimitDecision, RateLimiter } from '../../domain/ports.ts';
import type { RedisClient } from './connect.ts';

/**
 * A fixed one-minute window per tenant: one INCR (+EXPIRE on the first hit) per request. Fixed
 * windows allow a burst at a window edge; for a per-tenant fairness guard that is an accepted trade.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient;
  readonly limit: number;
  private readonly windowSeconds;

  constructor(redis: RedisClient, limit: number, windowSeconds = 60) {
    this.redis = redis;
    this.limit = limit;
    this.windowSeconds = windowSeconds;
  }

  async hit(tenantId: string, now = Date.now()): Promise<RateLimitDecision> {
    const window = Math.floor(now / 1000 / this.windowSeconds);
    const key = `ratelimit:${tenantId}:${window}`;
    const [count] = (await this.redis.multi().incr(key).expire(key, this.windowSeconds, 'NX').exec()) as unknown as [number, number];
    const resetSeconds = Math.max(1, (window + 1) * this.windowSeconds - Math.floor(now / 1000));
    return { allowed: count <= this.limit, count, limit: this.limit, resetSeconds };
  }
}
