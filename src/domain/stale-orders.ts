import { ATTR_ORDER_ID, ATTR_ORDER_STATUS, ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { shopMetrics } from '../telemetry/shop-metrics.ts';
import { staleOrdersSettledCounter } from '../telemetry/order-metrics.ts';
import { detachedFromTrace, withoutTracing, withSpan } from '../telemetry/tracing.ts';
import type { Order, OrderLine } from './model.ts';
import type { Logger } from './ports.ts';

/** What the sweeper needs from the order store (PgOrderRepository implements it). */
export interface StaleOrderStore {
  findStalePending(olderThanMs: number, limit: number): Promise<Order[]>;
  /** As OrderRepository.fail: false when the order is no longer pending. */
  fail(tenantId: string, orderId: string, lines: OrderLine[], reason: string): Promise<boolean>;
}

/** `failure_reason` of an order whose checkout never finished (its process died mid-checkout). */
export const STALE_ORDER_REASON = 'abandoned';

/**
 * Checkout leaves an order completed or failed on every path the process survives (OrderService);
 * a process killed mid-checkout (OOM, SIGKILL, a node lost) leaves it pending with its stock
 * reserved. The sweeper fails orders pending for longer than any checkout can take (`pendingTimeoutMs`,
 * above the payment timeout) and puts their stock back: each one in a root span
 * `settle_stale_order`, counted in shop.stale_orders.settled and as a failed order in shop.orders.
 */
export class StaleOrderSweeper {
  private readonly store: StaleOrderStore;
  private readonly logger: Logger;
  private readonly pendingTimeoutMs: number;
  private readonly batchSize: number;

  constructor(store: StaleOrderStore, logger: Logger, options: { pendingTimeoutMs: number; batchSize?: number }) {
    this.store = store;
    this.logger = logger;
    this.pendingTimeoutMs = options.pendingTimeoutMs;
    this.batchSize = options.batchSize ?? 100;
  }

  /** Settles every stale order found now; resolves how many this call settled. */
  async sweep(): Promise<number> {
    let settled = 0;
    for (;;) {
      // The periodic scan is no trace of its own: only an order actually settled is.
      const stale = await withoutTracing(() => this.store.findStalePending(this.pendingTimeoutMs, this.batchSize));
      let progress = 0;
      for (const order of stale) {
        try {
          if (await detachedFromTrace(() => this.settle(order))) progress++;
        } catch (error) {
          // One order that cannot be settled must not keep the ones behind it reserved: the next sweep retries it.
          this.logger.error({ err: error, order_id: order.id, tenant_id: order.tenantId }, 'stale_order_not_settled');
        }
      }
      settled += progress;
      if (stale.length < this.batchSize || progress === 0) return settled;
    }
  }

  private settle(order: Order): Promise<boolean> {
    const attributes = { [ATTR_TENANT_ID]: order.tenantId, [ATTR_ORDER_ID]: order.id };
    return withSpan('settle_stale_order', { attributes }, async (span) => {
      // Another worker, or the checkout itself, may have settled it since the scan.
      if (!(await this.store.fail(order.tenantId, order.id, order.lines, STALE_ORDER_REASON))) return false;
      span.setAttribute(ATTR_ORDER_STATUS, 'failed');
      staleOrdersSettledCounter().add(1, { [ATTR_TENANT_ID]: order.tenantId });
      shopMetrics().orders.add(1, { [ATTR_TENANT_ID]: order.tenantId, [ATTR_ORDER_STATUS]: 'failed' });
      const pendingMs = Date.now() - Date.parse(order.createdAt);
      this.logger.warn(
        { order_id: order.id, tenant_id: order.tenantId, pending_ms: pendingMs, reason: STALE_ORDER_REASON },
        'stale_order_settled',
      );
      return true;
    });
  }
}
