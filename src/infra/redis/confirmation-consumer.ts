import type { OrderConfirmation } from '../../domain/ports.ts';
import {
  ATTR_MESSAGING_DESTINATION,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
} from '../../telemetry/attributes.ts';
import { extractTraceContext } from '../../telemetry/propagation.ts';
import { SpanKind, withSpanFrom } from '../../telemetry/tracing.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from './connect.ts';
import { CONFIRMATIONS_GROUP, CONFIRMATIONS_STREAM } from './order-events.ts';

export interface ConsumerOptions {
  consumerName: string;
  blockMs: number;
  batchSize: number;
  /** Entries left unacknowledged this long (a crashed or failing consumer) are claimed again. */
  reclaimIdleMs?: number;
}

type Entry = { id: string; message: Record<string, string> };

/**
 * Reads order confirmations from the stream with a consumer group, one CONSUMER span per entry that
 * continues the producer's trace. Entries are acknowledged only after `handle` succeeds.
 */
export class ConfirmationConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastReclaim = 0;

  private readonly redis: RedisClient;
  private readonly handle: (confirmation: OrderConfirmation) => Promise<void>;
  private readonly logger: Logger;
  private readonly options: ConsumerOptions;

  constructor(redis: RedisClient, handle: (confirmation: OrderConfirmation) => Promise<void>, logger: Logger, options: ConsumerOptions) {
    this.redis = redis;
    this.handle = handle;
    this.logger = logger;
    this.options = options;
  }

  async start(): Promise<void> {
    await this.ensureGroup();
    this.running = true;
    this.loop = this.run();
  }

  /** Stops after the current batch; the blocking read returns within `blockMs`. */
  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async ensureGroup(): Promise<void> {
    try {
      await this.redis.xGroupCreate(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, '0', { MKSTREAM: true });
    } catch (error) {
      if (!String((error as Error).message).includes('BUSYGROUP')) throw error;
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        for (const entry of await this.read()) await this.process(entry);
      } catch (error) {
        this.logger.error({ err: error }, 'confirmation_read_failed');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  private async read(): Promise<Entry[]> {
    const reclaimIdleMs = this.options.reclaimIdleMs ?? 30_000;
    if (Date.now() - this.lastReclaim > reclaimIdleMs) {
      this.lastReclaim = Date.now();
      const claimed = await this.redis.xAutoClaim(
        CONFIRMATIONS_STREAM,
        CONFIRMATIONS_GROUP,
        this.options.consumerName,
        reclaimIdleMs,
        '0-0',
        {
          COUNT: this.options.batchSize,
        },
      );
      const entries = claimed.messages.filter((m): m is Entry => m !== null);
      if (entries.length > 0) return entries;
    }
    const streams = await this.redis.xReadGroup(
      CONFIRMATIONS_GROUP,
      this.options.consumerName,
      { key: CONFIRMATIONS_STREAM, id: '>' },
      { COUNT: this.options.batchSize, BLOCK: this.options.blockMs },
    );
    if (!streams) return [];
    return (streams as Array<{ messages: Entry[] }>).flatMap((stream) => stream.messages);
  }

  private async process(entry: Entry): Promise<void> {
    const { parent, links } = extractTraceContext(entry.message);
    const attributes = {
      [ATTR_MESSAGING_SYSTEM]: 'redis',
      [ATTR_MESSAGING_DESTINATION]: CONFIRMATIONS_STREAM,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'process',
      [ATTR_MESSAGING_MESSAGE_ID]: entry.id,
    };
    try {
      await withSpanFrom(parent, `process ${CONFIRMATIONS_STREAM}`, { kind: SpanKind.CONSUMER, attributes, links }, async () => {
        await this.handle({
          orderId: entry.message.order_id ?? '',
          tenantId: entry.message.tenant_id ?? '',
          userId: entry.message.user_id ?? '',
        });
        await this.redis.xAck(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, entry.id);
      });
    } catch (error) {
      // Left unacknowledged: the entry is claimed again after reclaimIdleMs.
      this.logger.error({ err: error, message_id: entry.id }, 'confirmation_failed');
    }
  }
}
