import { ATTR_ORDER_ID, ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { ATTR_USER_ID } from '../telemetry/semconv.ts';
import { withSpan } from '../telemetry/tracing.ts';
import type { Logger, OrderConfirmation, OrderRepository } from './ports.ts';

/** The worker's side of send_confirmation: "sends" the email and records that it went out. */
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
      const updated = await this.orders.markConfirmed(confirmation.tenantId, confirmation.orderId);
      if (!updated) {
        this.logger.warn({ order_id: confirmation.orderId, tenant_id: confirmation.tenantId }, 'confirmation_for_unknown_order');
        return;
      }
      this.logger.info({ order_id: confirmation.orderId, tenant_id: confirmation.tenantId }, 'order_confirmation_sent');
    });
  }
}
