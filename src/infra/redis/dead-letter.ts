import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { deadLetteredCounter, deadLetterTrimmedCounter, messagingMetrics, timed } from '../../telemetry/messaging-metrics.ts';
import { extractTraceContext } from '../../telemetry/propagation.ts';
import {
  ATTR_MESSAGING_MESSAGE_ID,
  MESSAGING_OPERATION_TYPE_VALUE_SETTLE,
} from '../../telemetry/semconv.ts';
import { SpanKind, withSpanFrom } from '../../telemetry/tracing.ts';
import type { Logger } from '../logger.ts';
import type { RedisClient } from './connect.ts';
import { CONFIRMATIONS_DEAD_LETTER_STREAM, CONFIRMATIONS_GROUP, CONFIRMATIONS_STREAM, MESSAGING_SYSTEM } from './order-events.ts';
import { messagingAttributes } from './messaging-attributes.ts';

export type StreamEntry = { id: string; message: Record<string, string> };

/** Why an entry was dead-lettered (its `error.type`): it cannot be handled, or it failed too often. */
export type DeadLetterReason = 'malformed' | 'max_deliveries';

/**
 * Nobody consumes the dead-letter stream, so it is capped too (people inspect it, an outage of the
 * handler can fill it). Exactly, not `~`: dead letters are rare, the cost of an exact trim is nothing,
 * and what the counter says was dropped is then exactly what the cap dropped.
 */
export const DEAD_LETTER_MAX_LEN = 10_000;

/**
 * Moves an entry to the dead-letter stream, trims that stream to `maxLen` and acknowledges the entry,
 * in one MULTI, inside a CLIENT `dead_letter <stream>` span (a settle operation) under the
 * message's creation context, so the order's trace shows where its confirmation ended. The move is
 * counted (shop.confirmations.dead_lettered, by error.type), so is what the trim dropped
 * (shop.confirmations.dead_letter.trimmed), and logged at error.
 */
export async function deadLetter(
  redis: RedisClient,
  logger: Logger,
  entry: StreamEntry,
  failure: { deliveries: number; reason: DeadLetterReason; maxLen: number },
): Promise<void> {
  const metricAttributes = messagingAttributes(
    MESSAGING_SYSTEM,
    CONFIRMATIONS_STREAM,
    { name: 'dead_letter', type: MESSAGING_OPERATION_TYPE_VALUE_SETTLE },
    CONFIRMATIONS_GROUP,
  );
  const attributes = { ...metricAttributes, [ATTR_MESSAGING_MESSAGE_ID]: entry.id };
  // A CLIENT span: the settle is one call to the broker (messaging spans: settlement is a client operation).
  const name = `dead_letter ${CONFIRMATIONS_STREAM}`;
  await withSpanFrom(extractTraceContext(entry.message), name, { kind: SpanKind.CLIENT, attributes }, async () => {
    const fields = { ...entry.message, source_message_id: entry.id, delivery_count: String(failure.deliveries), reason: failure.reason };
    const settle = () =>
      redis
        .multi()
        .xAdd(CONFIRMATIONS_DEAD_LETTER_STREAM, '*', fields)
        .xTrim(CONFIRMATIONS_DEAD_LETTER_STREAM, 'MAXLEN', failure.maxLen, { strategyModifier: '=' })
        .xAck(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, entry.id)
        .exec();
    const [, trimmed] = await timed(messagingMetrics().clientOperationDuration, metricAttributes, settle);
    deadLetteredCounter().add(1, { ...messagingAttributes(MESSAGING_SYSTEM, CONFIRMATIONS_STREAM), [ATTR_ERROR_TYPE]: failure.reason });
    if (Number(trimmed) > 0) {
      deadLetterTrimmedCounter().add(Number(trimmed), messagingAttributes(MESSAGING_SYSTEM, CONFIRMATIONS_DEAD_LETTER_STREAM));
    }
    logger.error(
      {
        message_id: entry.id,
        order_id: entry.message.order_id,
        tenant_id: entry.message.tenant_id,
        delivery_count: failure.deliveries,
        reason: failure.reason,
        dead_letter_stream: CONFIRMATIONS_DEAD_LETTER_STREAM,
      },
      'confirmation_dead_lettered',
    );
  });
}
