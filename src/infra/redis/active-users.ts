import type { ActiveUsers } from '../../domain/ports.ts';
import type { RedisClient } from './connect.ts';

/**
 * Distinct users who logged in today, per tenant, in a HyperLogLog (12 KB per tenant and day,
 * whatever the number of users), so the gauge needs no user id as a metric label.
 */
export class RedisActiveUsers implements ActiveUsers {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async record(tenantId: string, userId: string): Promise<void> {
    const key = activeUsersKey(tenantId);
    await this.redis
      .multi()
      .pfAdd(key, userId)
      .expire(key, 2 * 86_400)
      .exec();
  }

  count(tenantId: string): Promise<number> {
    return this.redis.pfCount(activeUsersKey(tenantId));
  }
}

const activeUsersKey = (tenantId: string, day = new Date().toISOString().slice(0, 10)) => `active_users:${tenantId}:${day}`;
