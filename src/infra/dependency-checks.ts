import type { DependencyCheck } from '../domain/ports.ts';
import type { InstrumentedDb } from './db/instrumented-db.ts';
import type { RedisClient } from './redis/connect.ts';

export const postgresCheck = (db: InstrumentedDb): DependencyCheck => ({
  name: 'postgres',
  check: async () => {
    await db.query({ operation: 'SELECT' })`SELECT 1`;
  },
});

export const redisCheck = (redis: RedisClient): DependencyCheck => ({
  name: 'redis',
  check: async () => {
    await redis.ping();
  },
});
