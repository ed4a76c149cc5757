import type { Cache } from '../../domain/ports.ts';
import type { RedisClient } from './connect.ts';

/** JSON values in Redis with a TTL. */
export class RedisCache implements Cache {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async get<T>(key: string): Promise<T | undefined> {
    const raw = await this.redis.get(key);
    return raw === null ? undefined : (JSON.parse(raw) as T);
  }

  async set(key: string, value: unknown, ttlSeconds: number): Promise<void> {
    await this.redis.set(key, JSON.stringify(value), { expiration: { type: 'EX', value: ttlSeconds } });
  }

  async delete(key: string): Promise<void> {
    await this.redis.del(key);
  }
}
