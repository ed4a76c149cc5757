import {
  ATTR_ORDER_ID,
  ATTR_ORDER_STATUS,
  ATTR_PAYMENT_AMOUNT_CENTS,
  ATTR_PAYMENT_FAILURE_REASON,
  ATTR_PRODUCT_SKU,
  ATTR_TENANT_ID,
} from '../telemetry/attributes.ts';
import { ATTR_USER_ID } from '../telemetry/semconv.ts';
import { shopMetrics } from '../telemetry/shop-metrics.ts';
import { setActiveSpanAttributes, withSpan } from '../telemetry/tracing.ts';
import { NotFoundError, PaymentDeclinedError, PaymentGatewayError } from './errors.ts';
import type { Order, PaymentCard } from './model.ts';
import type { Cache, Logger, OrderEvents, OrderRepository, PaymentGateway } from './ports.ts';
import { productsCacheKey } from './products.ts';

export interface PlaceOrderInput {
  tenantId: string;
  userId: string;
  items: Array<{ sku: string; quantity: number }>;
  card: PaymentCard;
}

/** process_order → validate_inventory → charge_payment → send_confirmation. */
export class OrderService {
  private readonly orders: OrderRepository;
  private readonly payments: PaymentGateway;
  private readonly events: OrderEvents;
  private readonly cache: Cache;
  private readonly logger: Logger;

  constructor(orders: OrderRepository, payments: PaymentGateway, events: OrderEvents, cache: Cache, logger: Logger) {
    this.orders = orders;
    this.payments = payments;
    this.events = events;
    this.cache = cache;
    this.logger = logger;
  }

  place(input: PlaceOrderInput): Promise<Order> {
    const ids = { [ATTR_TENANT_ID]: input.tenantId, [ATTR_USER_ID]: input.userId };
    return withSpan('process_order', { attributes: ids }, async (span) => {
      const order = await withSpan('validate_inventory', { attributes: ids }, async (inner) => {
        const reserved = await this.orders.reserve(input.tenantId, input.userId, input.items);
        inner.setAttribute(ATTR_ORDER_ID, reserved.id);
        return reserved;
      });
      span.setAttribute(ATTR_ORDER_ID, order.id);
      const withOrder = { ...ids, [ATTR_ORDER_ID]: order.id };
      try {
        await withSpan('charge_payment', { attributes: { ...withOrder, [ATTR_PAYMENT_AMOUNT_CENTS]: order.totalCents } }, () =>
          this.charge(order, input.card),
        );
      } catch (error) {
        // charge() has failed the order (and released its stock) whatever it threw: say so on process_order.
        span.setAttribute(ATTR_ORDER_STATUS, 'failed');
        throw error;
      }
      // False when the order was settled as stale meanwhile (StaleOrderSweeper): its stock is back on sale.
      if (!(await this.orders.markCompleted(order.tenantId, order.id))) {
        throw new Error(`order ${order.id} was settled as stale before its payment completed`);
      }
      const completed: Order = { ...order, status: 'completed' };
      this.countCompleted(completed);
      await this.invalidateCatalogue(order.tenantId);
      await withSpan('send_confirmation', { attributes: withOrder }, () => this.confirm(completed));
      span.setAttribute(ATTR_ORDER_STATUS, 'completed');
      this.logger.info({ order_id: order.id, total_cents: order.totalCents, lines: order.lines.length }, 'order_placed');
      return completed;
    });
  }

  async get(tenantId: string, userId: string, orderId: string): Promise<Order> {
    const order = await this.orders.findById(tenantId, orderId);
    // Another user's order is reported as missing, not forbidden: ids must not be probeable.
    if (!order || order.userId !== userId) throw new NotFoundError('order_not_found', 'no such order');
    return order;
  }

  /**
   * Charges the card; on a decline or a gateway failure the order fails and its stock comes back.
   * So it does on any other error (a bug, a dependency failing mid-charge): rethrown unchanged, it is
   * logged once where it is handled (the HTTP error handler), but the order must not stay pending
   * with its stock reserved. Only a dead process leaves a pending order: StaleOrderSweeper settles it.
   */
  private async charge(order: Order, card: PaymentCard): Promise<void> {
    let reason: 'declined' | 'gateway_error' | 'timeout';
    let failure: Error;
    try {
      const result = await this.payments.charge({
        orderId: order.id,
        tenantId: order.tenantId,
        amountCents: order.totalCents,
        currency: 'USD',
        card,
      });
      if (result.status === 'approved') return;
      reason = 'declined';
      failure = new PaymentDeclinedError('payment_declined', `the card was declined: ${result.reason}`, { order_id: order.id });
    } catch (error) {
      if (!(error instanceof PaymentGatewayError)) return this.failUnexpectedly(order, error);
      reason = error.code === 'payment_timeout' ? 'timeout' : 'gateway_error';
      failure = new PaymentGatewayError(error.code, error.message, { order_id: order.id });
    }
    await this.orders.fail(order.tenantId, order.id, order.lines, reason);
    // On charge_payment: a decline is an outcome (no error.type), and this attribute says which.
    setActiveSpanAttributes({ [ATTR_PAYMENT_FAILURE_REASON]: reason });
    shopMetrics().paymentFailures.add(1, { [ATTR_TENANT_ID]: order.tenantId, [ATTR_PAYMENT_FAILURE_REASON]: reason });
    shopMetrics().orders.add(1, { [ATTR_TENANT_ID]: order.tenantId, [ATTR_ORDER_STATUS]: 'failed' });
    this.logger.warn({ order_id: order.id, reason }, 'payment_failed');
    throw failure;
  }

  /** Not a payment failure (the charge's outcome is unknown): counted as a failed order only. */
  private async failUnexpectedly(order: Order, error: unknown): Promise<never> {
    try {
      await this.orders.fail(order.tenantId, order.id, order.lines, 'internal_error');
    } catch (failure) {
      // The caller still gets (and the error handler logs) the first error; the order stays pending
      // until StaleOrderSweeper settles it.
      this.logger.error({ err: failure, order_id: order.id }, 'order_not_failed');
      throw error;
    }
    shopMetrics().orders.add(1, { [ATTR_TENANT_ID]: order.tenantId, [ATTR_ORDER_STATUS]: 'failed' });
    this.logger.warn({ order_id: order.id, reason: 'internal_error' }, 'order_failed');
    throw error;
  }

  private countCompleted(order: Order): void {
    const metrics = shopMetrics();
    metrics.orders.add(1, { [ATTR_TENANT_ID]: order.tenantId, [ATTR_ORDER_STATUS]: 'completed' });
    for (const line of order.lines) {
      const attributes = { [ATTR_TENANT_ID]: order.tenantId, [ATTR_PRODUCT_SKU]: line.sku };
      metrics.revenue.add((line.unitPriceCents * line.quantity) / 100, attributes);
      metrics.productsSold.add(line.quantity, attributes);
    }
  }

  /** Stock changed: the cached catalogue is dropped (best effort, it expires anyway). */
  private async invalidateCatalogue(tenantId: string): Promise<void> {
    try {
      await this.cache.delete(productsCacheKey(tenantId));
    } catch (error) {
      this.logger.warn({ err: error, cache: 'products' }, 'cache_unavailable');
    }
  }

  /** The order is paid: a lost confirmation is logged for follow-up, not turned into a failed order. */
  private async confirm(order: Order): Promise<void> {
    try {
      const messageId = await this.events.publishConfirmation({ orderId: order.id, tenantId: order.tenantId, userId: order.userId });
      this.logger.info({ order_id: order.id, message_id: messageId }, 'confirmation_queued');
    } catch (error) {
      this.logger.error({ err: error, order_id: order.id }, 'confirmation_not_queued');
    }
  }
}
