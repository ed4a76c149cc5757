import type { MiddlewareHandler } from 'hono';
import { RateLimitedError } from '../../domain/errors.ts';
import type { Logger, RateLimiter } from '../../domain/ports.ts';
import { ATTR_TENANT_ID } from '../../telemetry/attributes.ts';
import { shopMetrics } from '../../telemetry/shop-metrics.ts';
import type { AppEnv } from '../context.ts';

/**
 * Per-tenant rate limit: 429 with Retry-After past the limit, one `rate_limit_approached` warning
 * per window when a tenant crosses 80%. If Redis is down the limiter fails open (availability over
 * strictness) and says so at most every 10 s.
 */
export function rateLimit(limiter: RateLimiter, logger: Logger): MiddlewareHandler<AppEnv> {
  const warnAt = Math.ceil(limiter.limit * 0.8);
  let lastOutageLog = 0;
  return async (c, next) => {
    const tenantId = c.get('tenantId');
    let decision;
    try {
      decision = await limiter.hit(tenantId);
    } catch (error) {
      if (Date.now() - lastOutageLog > 10_000) {
        lastOutageLog = Date.now();
        logger.warn({ err: error }, 'rate_limiter_unavailable');
      }
      return next();
    }
    if (decision.count === warnAt) {
      logger.warn({ count: decision.count, limit: decision.limit }, 'rate_limit_approached');
    }
    if (!decision.allowed) {
      shopMetrics().rateLimitRejections.add(1, { [ATTR_TENANT_ID]: tenantId });
      throw new RateLimitedError(decision.resetSeconds);
    }
    c.header('RateLimit-Limit', String(decision.limit));
    c.header('RateLimit-Remaining', String(Math.max(0, decision.limit - decision.count)));
    await next();
  };
}
