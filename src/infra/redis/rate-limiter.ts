import type { RateLimitDecision, RateLimiter } from '../../domain/ports.ts';
import type { RedisClient } from './connect.ts';

/**
 * INCR the window's counter and give it a TTL on the first hit, atomically and in one round trip:
 * every request pays for this, so it is one command (and one client span), not a MULTI of two.
 */
const HIT_SCRIPT = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end return n";

/**
 * A fixed window (one minute by default) per key: one script call per request. Fixed windows allow a
 * burst at a window edge; for a fairness guard and a brute-force brake that is an accepted trade.
 * `prefix` keeps the counters of different limits (per tenant, per login client) apart.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly redis: RedisClient;
  readonly limit: number;
  private readonly windowSeconds: number;
  private readonly prefix: string;

  constructor(redis: RedisClient, limit: number, windowSeconds = 60, prefix = 'ratelimit') {
    this.redis = redis;
    this.limit = limit;
    this.windowSeconds = windowSeconds;
    this.prefix = prefix;
  }

  async hit(subject: string, now = Date.now()): Promise<RateLimitDecision> {
    const window = Math.floor(now / 1000 / this.windowSeconds);
    const key = `${this.prefix}:${subject}:${window}`;
    const count = Number(await this.redis.eval(HIT_SCRIPT, { keys: [key], arguments: [String(this.windowSeconds)] }));
    const resetSeconds = Math.max(1, (window + 1) * this.windowSeconds - Math.floor(now / 1000));
    return { allowed: count <= this.limit, count, limit: this.limit, resetSeconds };
  }
}
