import type { OrderConfirmation, OrderEvents } from '../../domain/ports.ts';
import { messagingMetrics, timed } from '../../telemetry/messaging-metrics.ts';
import { injectTraceContext } from '../../telemetry/propagation.ts';
import {
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_SERVER_SERVICE_NAME,
  MESSAGING_OPERATION_TYPE_VALUE_SEND,
} from '../../telemetry/semconv.ts';
import { SpanKind, withSpan } from '../../telemetry/tracing.ts';
import type { RedisClient } from './connect.ts';
import { messagingAttributes } from './messaging-attributes.ts';

export const CONFIRMATIONS_STREAM = 'orders.confirmations';
export const CONFIRMATIONS_GROUP = 'confirmation-workers';
/** Where entries that failed too many deliveries go; read by people, never by the worker. */
export const CONFIRMATIONS_DEAD_LETTER_STREAM = 'orders.confirmations.dead-letter';
/** `messaging.system.name`: Redis streams have no value in the semconv list, so the custom one. */
export const MESSAGING_SYSTEM = 'redis';
/** The stream is capped (approximately) so an absent worker cannot grow Redis without bound. */
const STREAM_MAX_LEN = 100_000;

/**
 * Publishes order confirmations on a Redis stream inside a PRODUCER span `send <stream>`, whose
 * context travels in the entry's fields (traceparent/tracestate only, never baggage): it is the
 * message's creation context, so the worker's `process` span continues the order's trace as its child.
 */
export class RedisOrderEvents implements OrderEvents {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  publishConfirmation(confirmation: OrderConfirmation): Promise<string> {
    // Also those of messaging.client.operation.duration and messaging.client.sent.messages.
    const metricAttributes = messagingAttributes(MESSAGING_SYSTEM, CONFIRMATIONS_STREAM, {
      name: 'send',
      type: MESSAGING_OPERATION_TYPE_VALUE_SEND,
    });
    const attributes = {
      ...metricAttributes,
      // Names the consumer's service for the service graph's virtual node when no worker span pairs up.
      [ATTR_SERVER_SERVICE_NAME]: 'worker',
    };
    return withSpan(`send ${CONFIRMATIONS_STREAM}`, { kind: SpanKind.PRODUCER, attributes }, async (span) => {
      const fields = {
        order_id: confirmation.orderId,
        tenant_id: confirmation.tenantId,
        user_id: confirmation.userId,
        ...injectTraceContext(),
      };
      const metrics = messagingMetrics();
      const send = () =>
        this.redis.xAdd(CONFIRMATIONS_STREAM, '*', fields, { TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAX_LEN } });
      const id = await timed(metrics.clientOperationDuration, metricAttributes, send, metrics.sentMessages);
      span.setAttribute(ATTR_MESSAGING_MESSAGE_ID, id);
      return id;
    });
  }
}
