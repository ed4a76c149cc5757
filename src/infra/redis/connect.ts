import { createClient } from 'redis';
import type { Logger } from '../logger.ts';

export type RedisClient = ReturnType<typeof createRedis>;

/**
 * A node-redis client that never queues commands while disconnected (they fail at once, so callers
 * degrade instead of hanging) and reconnects forever with capped backoff, so the service recovers by
 * itself when Redis comes back. Errors are logged once per outage, not once per retry.
 */
export function createRedis(url: string, logger: Logger, name = 'main') {
  const client = createClient({
    url,
    name: `otelkit-${name}`,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2_000,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2_000),
    },
  });
  let down = false;
  client.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.error({ err: error, redis_client: name }, 'redis_connection_lost');
  });
  client.on('ready', () => {
    if (down) logger.info({ redis_client: name }, 'redis_connection_restored');
    down = false;
  });
  return client;
}

/** Connects, resolving once ready; rejects after `timeoutMs` without giving up the reconnect loop. */
export async function connectRedis(client: RedisClient, timeoutMs: number): Promise<void> {
  if (client.isReady) return;
  if (!client.isOpen) client.connect().catch(() => {});
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error('redis not ready'));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}
