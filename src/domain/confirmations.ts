import { ATTR_ORDER_ID, ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { ATTR_USER_ID } from '../telemetry/semconv.ts';
import { withSpan } from '../telemetry/tracing.ts';
import { ValidationError } from './errors.ts';
import type { Logger, OrderConfirmation, OrderRepository } from './ports.ts';

/** Order ids are UUIDs (the orders table's key): anything else can never be confirmed. */
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The worker's side of send_confirmation: "sends" the email and records that it went out. A
 * confirmation that can never succeed is a ValidationError, which the consumer dead-letters at once
 * instead of retrying it.
 */
export class ConfirmationService {
  private readonly orders: OrderRepository;
  private readonly logger: Logger;

  constructor(orders: OrderRepository, logger: Logger) {
    this.orders = orders;
    this.logger = logger;
  }

  deliver(confirmation: OrderConfirmation): Promise<void> {
    const attributes = {
      [ATTR_TENANT_ID]: confirmation.tenantId,
      [ATTR_USER_ID]: confirmation.userId,
      [ATTR_ORDER_ID]: confirmation.orderId,
    };
    return withSpan('deliver_confirmation', { attributes }, async () => {
      if (!ORDER_ID.test(confirmation.orderId)) throw new ValidationError('malformed_confirmation', 'order_id is not an order id');
      const updated = await this.orders.markConfirmed(confirmation.tenantId, confirmation.orderId);
      if (!updated) {
        this.logger.warn({ order_id: confirmation.orderId, tenant_id: confirmation.tenantId }, 'confirmation_for_unknown_order');
        return;
      }
      this.logger.info({ order_id: confirmation.orderId, tenant_id: confirmation.tenantId }, 'order_confirmation_sent');
    });
  }
}
