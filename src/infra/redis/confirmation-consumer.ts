import { ValidationError } from '../../domain/errors.ts';
import type { OrderConfirmation } from '../../domain/ports.ts';
import { messagingMetrics, timed } from '../../telemetry/messaging-metrics.ts';
import { creationContextLinks, extractTraceContext } from '../../telemetry/propagation.ts';
import {
  ATTR_MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_TYPE_VALUE_PROCESS,
  MESSAGING_OPERATION_TYPE_VALUE_RECEIVE,
} from '../../telemetry/semconv.ts';
import { spanProfile } from '../../telemetry/span-profiles.ts';
import { SpanKind, withSpanFrom } from '../../telemetry/tracing.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from './connect.ts';
import { DEAD_LETTER_MAX_LEN, deadLetter, type DeadLetterReason, type StreamEntry } from './dead-letter.ts';
import { CONFIRMATIONS_GROUP, CONFIRMATIONS_STREAM, MESSAGING_SYSTEM } from './order-events.ts';
import { sleep } from '../../util/sleep.ts';
import { messagingAttributes } from './messaging-attributes.ts';

export interface ConsumerOptions {
  consumerName: string;
  blockMs: number;
  batchSize: number;
  /** Entries left unacknowledged this long (a crashed or failing consumer) are claimed again. */
  reclaimIdleMs?: number;
  /** Deliveries after which a still-failing entry goes to the dead-letter stream instead of a retry. */
  maxDeliveries?: number;
  /** The dead-letter stream's cap (oldest entries are trimmed, and counted, beyond it). */
  deadLetterMaxLen?: number;
}

type Entry = StreamEntry;

/** The fields a confirmation needs; an entry without one can never succeed, however often it is retried. */
function parseConfirmation(message: Record<string, string>): OrderConfirmation | undefined {
  const { order_id: orderId, tenant_id: tenantId, user_id: userId } = message;
  if (!orderId || !tenantId || !userId) return undefined;
  return { orderId, tenantId, userId };
}

const isEntry = (m: Entry | null): m is Entry => m !== null;

/** The bounded messaging attributes of the consumer's spans and metrics (no message id). */
const consumerAttributes = (name: string, type: string) =>
  messagingAttributes(MESSAGING_SYSTEM, CONFIRMATIONS_STREAM, { name, type }, CONFIRMATIONS_GROUP);

/**
 * Reads order confirmations from the stream with a consumer group, one CONSUMER span per entry that
 * continues the producer's trace. Entries are acknowledged only after `handle` succeeds; a failed
 * entry is retried after `reclaimIdleMs` until it has been delivered `maxDeliveries` times, then
 * moved to the dead-letter stream, counted and logged, so a poison message cannot be retried forever.
 * A malformed entry (a required field missing, or the handler throws a ValidationError) is dead-lettered at its first delivery: a retry
 * cannot fix it, and retrying would only keep it pending for maxDeliveries × reclaimIdleMs.
 */
export class ConfirmationConsumer {
  private running = false;
  private loop: Promise<void> | undefined;
  private lastReclaim = 0;

  private readonly redis: RedisClient;
  private readonly handle: (confirmation: OrderConfirmation) => Promise<void>;
  private readonly logger: Logger;
  private readonly options: Required<ConsumerOptions>;

  constructor(redis: RedisClient, handle: (confirmation: OrderConfirmation) => Promise<void>, logger: Logger, options: ConsumerOptions) {
    this.redis = redis;
    this.handle = handle;
    this.logger = logger;
    this.options = { reclaimIdleMs: 30_000, maxDeliveries: 5, deadLetterMaxLen: DEAD_LETTER_MAX_LEN, ...options };
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
        await sleep(1_000);
      }
    }
  }

  private async read(): Promise<Entry[]> {
    if (Date.now() - this.lastReclaim > this.options.reclaimIdleMs) {
      this.lastReclaim = Date.now();
      const reclaimed = await this.reclaim();
      if (reclaimed.length > 0) return reclaimed;
    }
    const streams = await this.redis.xReadGroup(
      CONFIRMATIONS_GROUP,
      this.options.consumerName,
      { key: CONFIRMATIONS_STREAM, id: '>' },
      { COUNT: this.options.batchSize, BLOCK: this.options.blockMs },
    );
    if (!streams) return [];
    return this.received((streams as Array<{ messages: Entry[] }>).flatMap((stream) => stream.messages));
  }

  /**
   * Claims entries idle for `reclaimIdleMs`: those delivered fewer than `maxDeliveries` times are
   * returned for another attempt, the others are dead-lettered. Claiming first (XCLAIM with the
   * idle time) makes one worker the owner, so two workers never dead-letter the same entry twice.
   */
  private async reclaim(): Promise<Entry[]> {
    const { consumerName, reclaimIdleMs, maxDeliveries, batchSize } = this.options;
    const pending = await this.redis.xPendingRange(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, '-', '+', batchSize, { IDLE: reclaimIdleMs });
    if (pending.length === 0) return [];
    const deliveries = new Map(pending.map((p) => [p.id, p.deliveriesCounter]));
    const claimed = (
      await this.redis.xClaim(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, consumerName, reclaimIdleMs, [...deliveries.keys()])
    ).filter(isEntry);
    this.received(claimed);
    const retry: Entry[] = [];
    for (const entry of claimed) {
      const count = deliveries.get(entry.id) ?? 0;
      if (count >= maxDeliveries) await this.deadLetter(entry, count, 'max_deliveries');
      else retry.push(entry);
    }
    return retry;
  }

  private deadLetter(entry: Entry, deliveries: number, reason: DeadLetterReason): Promise<void> {
    return deadLetter(this.redis, this.logger, entry, { deliveries, reason, maxLen: this.options.deadLetterMaxLen });
  }

  /** messaging.client.consumed.messages: once per delivery, a new entry or one claimed again. */
  private received(entries: Entry[]): Entry[] {
    if (entries.length === 0) return entries;
    messagingMetrics().consumedMessages.add(entries.length, consumerAttributes('receive', MESSAGING_OPERATION_TYPE_VALUE_RECEIVE));
    return entries;
  }

  private async process(entry: Entry): Promise<void> {
    const metricAttributes = consumerAttributes('process', MESSAGING_OPERATION_TYPE_VALUE_PROCESS);
    const attributes = { ...metricAttributes, [ATTR_MESSAGING_MESSAGE_ID]: entry.id };
    const confirmation = parseConfirmation(entry.message);
    if (!confirmation) {
      await this.deadLetter(entry, 1, 'malformed');
      return;
    }
    // Parent = the creation context (one message per span; the service graph pairs by parent id),
    // and a link to it as well, which the messaging conventions ask of every process span.
    const parent = extractTraceContext(entry.message);
    const links = creationContextLinks(entry.message);
    try {
      const name = `process ${CONFIRMATIONS_STREAM}`;
      await withSpanFrom(parent, name, { kind: SpanKind.CONSUMER, attributes, links }, async (span) => {
        const work = async () => {
          await this.handle(confirmation);
          await this.redis.xAck(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, entry.id);
        };
        // The consumer span is this process's local root: its CPU samples carry its id (span profiles).
        const profile = spanProfile(span, name);
        const run = () => timed(messagingMetrics().processDuration, metricAttributes, () => (profile ? profile.run(work) : work()));
        await run().catch((error: unknown) => {
          // Handled here, so recorded here, once, inside the span: the record carries its trace and span ids. Left unacknowledged:
          // claimed again after reclaimIdleMs, dead-lettered after maxDeliveries.
          if (!(error instanceof ValidationError)) this.logger.error({ err: error, message_id: entry.id }, 'confirmation_failed');
          throw error;
        });
      });
    } catch (error) {
      // The handler says no retry can fix this entry (an id that is not one): dead-lettered now.
      if (error instanceof ValidationError) return this.deadLetter(entry, 1, 'malformed');
    }
  }
}
