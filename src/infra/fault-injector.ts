import type { FaultControl, FaultState, Logger } from '../domain/ports.ts';
import { detachedFromTrace } from '../telemetry/tracing.ts';
import type { InstrumentedDb } from './db/instrumented-db.ts';
import type { RedisClient } from './redis/connect.ts';
import { sleep } from '../util/sleep.ts';

/**
 * Real faults, injected into the running api for the failure scenarios (npm run load -- --scenario …):
 *
 * - db_saturation: as many sessions as the pool has connections run `pg_sleep` back to back, so every
 *   connection is busy, real queries wait for one, and slow-query warnings appear;
 * - redis_down: the Redis connection is closed (and not reopened) until the fault is cleared, so the
 *   api meets exactly what it meets when Redis is unreachable.
 */
export class FaultInjector implements FaultControl {
  private saturating = false;
  private holders: Promise<void>[] = [];
  private redisDown = false;
  private readonly db: InstrumentedDb;
  private readonly redis: RedisClient;
  private readonly poolMax: number;
  private readonly logger: Logger;

  constructor(db: InstrumentedDb, redis: RedisClient, poolMax: number, logger: Logger) {
    this.db = db;
    this.redis = redis;
    this.poolMax = poolMax;
    this.logger = logger;
  }

  state(): FaultState {
    return { db_saturation: this.saturating, redis_down: this.redisDown };
  }

  async set(changes: Partial<FaultState>): Promise<FaultState> {
    if (changes.db_saturation === true && !this.saturating) this.startSaturation();
    if (changes.db_saturation === false && this.saturating) await this.stopSaturation();
    if (changes.redis_down === true && !this.redisDown) {
      this.redisDown = true;
      this.redis.destroy();
    }
    if (changes.redis_down === false && this.redisDown) {
      this.redisDown = false;
      await this.redis.connect().catch((error: unknown) => this.logger.error({ err: error }, 'redis_reconnect_failed'));
    }
    this.logger.warn({ faults: this.state() }, 'faults_changed');
    return this.state();
  }

  /** Stops every injected fault (on shutdown). */
  async clear(): Promise<void> {
    await this.stopSaturation();
  }

  private startSaturation(): void {
    this.saturating = true;
    this.holders = Array.from({ length: this.poolMax }, () =>
      detachedFromTrace(async () => {
        while (this.saturating) {
          await this.db.query({ operation: 'SELECT' })`SELECT pg_sleep(2)`.catch(() => sleep(500));
        }
      }),
    );
  }

  private async stopSaturation(): Promise<void> {
    this.saturating = false;
    await Promise.all(this.holders);
    this.holders = [];
  }
}
