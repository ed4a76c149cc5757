import { createHash, randomBytes } from 'node:crypto';
import type { Session } from '../../domain/model.ts';
import type { SessionStore } from '../../domain/ports.ts';
import type { RedisClient } from './connect.ts';

/**
 * Bearer sessions in Redis with a TTL. The key is the token's SHA-256, never the token itself: Redis
 * spans show keys, and a key must not be a usable credential.
 */
export class RedisSessionStore implements SessionStore {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async create(session: Session, ttlSeconds: number): Promise<string> {
    const token = randomBytes(32).toString('base64url');
    await this.redis.set(sessionKey(token), JSON.stringify(session), { expiration: { type: 'EX', value: ttlSeconds } });
    return token;
  }

  async find(token: string): Promise<Session | undefined> {
    const raw = await this.redis.get(sessionKey(token));
    return raw === null ? undefined : (JSON.parse(raw) as Session);
  }
}

const sessionKey = (token: string) => `session:${createHash('sha256').update(token).digest('hex')}`;
