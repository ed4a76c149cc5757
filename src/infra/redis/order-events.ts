import type { OrderConfirmation, OrderEvents } from '../../domain/ports.ts';
import {
  ATTR_MESSAGING_DESTINATION,
  ATTR_MESSAGING_MESSAGE_ID,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_PEER_SERVICE,
} from '../../telemetry/attributes.ts';
import { injectTraceContext } from '../../telemetry/propagation.ts';
import { setActiveSpanAttributes } from '../../telemetry/tracing.ts';
import type { RedisClient } from './connect.ts';

export const CONFIRMATIONS_STREAM = 'orders.confirmations';
export const CONFIRMATIONS_GROUP = 'confirmation-workers';
/** The stream is capped (approximately) so an absent worker cannot grow Redis without bound. */
const STREAM_MAX_LEN = 100_000;

/**
 * Publishes order confirmations on a Redis stream. The trace context travels in the entry's fields
 * (traceparent/tracestate), so the worker's span continues the order's trace.
 */
export class RedisOrderEvents implements OrderEvents {
  private readonly redis: RedisClient;

  constructor(redis: RedisClient) {
    this.redis = redis;
  }

  async publishConfirmation(confirmation: OrderConfirmation): Promise<string> {
    const fields = {
      order_id: confirmation.orderId,
      tenant_id: confirmation.tenantId,
      user_id: confirmation.userId,
      ...injectTraceContext(),
    };
    const id = await this.redis.xAdd(CONFIRMATIONS_STREAM, '*', fields, {
      TRIM: { strategy: 'MAXLEN', strategyModifier: '~', threshold: STREAM_MAX_LEN },
    });
    setActiveSpanAttributes({
      [ATTR_MESSAGING_SYSTEM]: 'redis',
      [ATTR_MESSAGING_DESTINATION]: CONFIRMATIONS_STREAM,
      [ATTR_MESSAGING_OPERATION_TYPE]: 'send',
      [ATTR_MESSAGING_MESSAGE_ID]: id,
      [ATTR_PEER_SERVICE]: 'worker',
    });
    return id;
  }
}
