import { InsufficientStockError, ValidationError } from '../../domain/errors.ts';
import type { Order, OrderLine, OrderStatus } from '../../domain/model.ts';
import type { OrderRepository } from '../../domain/ports.ts';
import type { StaleOrderStore } from '../../domain/stale-orders.ts';
import type { InstrumentedDb } from './instrumented-db.ts';

interface OrderRow {
  id: string;
  tenant_id: string;
  user_id: string;
  status: OrderStatus;
  total_cents: number;
  failure_reason: string | null;
  created_at: Date;
  confirmed_at: Date | null;
}

const toOrder = (row: OrderRow, lines: OrderLine[]): Order => ({
  id: row.id,
  tenantId: row.tenant_id,
  userId: row.user_id,
  status: row.status,
  totalCents: row.total_cents,
  lines,
  failureReason: row.failure_reason,
  createdAt: row.created_at.toISOString(),
  confirmedAt: row.confirmed_at?.toISOString() ?? null,
});

export class PgOrderRepository implements OrderRepository, StaleOrderStore {
  private readonly db: InstrumentedDb;

  constructor(db: InstrumentedDb) {
    this.db = db;
  }

  reserve(tenantId: string, userId: string, items: Array<{ sku: string; quantity: number }>): Promise<Order> {
    const skus = [...new Set(items.map((i) => i.sku))].sort();
    if (skus.length !== items.length) throw new ValidationError('duplicate_sku', 'each sku may appear once per order');
    return this.db.transaction(async (q) => {
      // Rows are locked in sku order so that concurrent orders cannot deadlock each other.
      const products = await q({ operation: 'SELECT', collection: 'products' })<{ sku: string; price_cents: number; stock: number }>`
        SELECT sku, price_cents, stock FROM products
        WHERE tenant_id = ${tenantId} AND sku = ANY(${skus}) ORDER BY sku FOR UPDATE`;
      const bySku = new Map(products.map((p) => [p.sku, p]));
      const lines: OrderLine[] = items.map((item) => {
        const product = bySku.get(item.sku);
        if (!product) throw new ValidationError('unknown_sku', `unknown sku ${item.sku}`, [{ path: 'items', sku: item.sku }]);
        if (product.stock < item.quantity) throw new InsufficientStockError('insufficient_stock', `not enough stock for ${item.sku}`);
        return { sku: item.sku, quantity: item.quantity, unitPriceCents: product.price_cents };
      });
      const total = lines.reduce((sum, l) => sum + l.unitPriceCents * l.quantity, 0);
      for (const line of lines) {
        await q({ operation: 'UPDATE', collection: 'products' })`UPDATE products SET stock = stock - ${line.quantity} WHERE tenant_id = ${tenantId} AND sku = ${line.sku}`;
      }
      const [row] = await q({ operation: 'INSERT', collection: 'orders' })<OrderRow>`
        INSERT INTO orders (tenant_id, user_id, status, total_cents) VALUES (${tenantId}, ${userId}, 'pending', ${total})
        RETURNING id, tenant_id, user_id, status, total_cents, failure_reason, created_at, confirmed_at`;
      if (!row) throw new Error('order insert returned no row');
      for (const line of lines) {
        await q({ operation: 'INSERT', collection: 'order_lines' })`INSERT INTO order_lines (order_id, sku, quantity, unit_price_cents)
                VALUES (${row.id}, ${line.sku}, ${line.quantity}, ${line.unitPriceCents})`;
      }
      return toOrder(row, lines);
    });
  }

  // Both transitions leave `pending` only: the row lock of the UPDATE serializes a checkout and the
  // stale-order sweeper, and whichever comes second changes nothing (no stock released twice).
  async markCompleted(tenantId: string, orderId: string): Promise<boolean> {
    const rows = await this.db.query({ operation: 'UPDATE', collection: 'orders' })`
      UPDATE orders SET status = 'completed' WHERE tenant_id = ${tenantId} AND id = ${orderId} AND status = 'pending' RETURNING id`;
    return rows.length > 0;
  }

  fail(tenantId: string, orderId: string, lines: OrderLine[], reason: string): Promise<boolean> {
    return this.db.transaction(async (q) => {
      const rows = await q({ operation: 'UPDATE', collection: 'orders' })`
        UPDATE orders SET status = 'failed', failure_reason = ${reason}
        WHERE tenant_id = ${tenantId} AND id = ${orderId} AND status = 'pending' RETURNING id`;
      if (rows.length === 0) return false;
      for (const line of [...lines].sort((a, b) => a.sku.localeCompare(b.sku))) {
        await q({ operation: 'UPDATE', collection: 'products' })`UPDATE products SET stock = stock + ${line.quantity} WHERE tenant_id = ${tenantId} AND sku = ${line.sku}`;
      }
      return true;
    });
  }

  /** Pending orders created more than `olderThanMs` ago, oldest first, with their lines (StaleOrderStore). */
  async findStalePending(olderThanMs: number, limit: number): Promise<Order[]> {
    const rows = await this.db.query({ operation: 'SELECT', collection: 'orders' })<OrderRow>`
      SELECT id, tenant_id, user_id, status, total_cents, failure_reason, created_at, confirmed_at
      FROM orders WHERE status = 'pending' AND created_at < now() - make_interval(secs => ${olderThanMs / 1000})
      ORDER BY created_at LIMIT ${limit}`;
    if (rows.length === 0) return [];
    const lines = await this.db.query({ operation: 'SELECT', collection: 'order_lines' })<OrderLine & { orderId: string }>`
      SELECT order_id AS "orderId", sku, quantity, unit_price_cents AS "unitPriceCents"
      FROM order_lines WHERE order_id = ANY(${rows.map((r) => r.id)}) ORDER BY sku`;
    return rows.map((row) =>
      toOrder(
        row,
        lines.filter((l) => l.orderId === row.id).map(({ sku, quantity, unitPriceCents }) => ({ sku, quantity, unitPriceCents })),
      ),
    );
  }

  async findById(tenantId: string, id: string): Promise<Order | undefined> {
    const rows = await this.db.query({ operation: 'SELECT', collection: 'orders' })<OrderRow>`
      SELECT id, tenant_id, user_id, status, total_cents, failure_reason, created_at, confirmed_at
      FROM orders WHERE tenant_id = ${tenantId} AND id = ${id}`;
    const row = rows[0];
    if (!row) return undefined;
    const lines = await this.db.query({ operation: 'SELECT', collection: 'order_lines' })<OrderLine>`
      SELECT sku, quantity, unit_price_cents AS "unitPriceCents" FROM order_lines WHERE order_id = ${id} ORDER BY sku`;
    return toOrder(row, lines);
  }

  async markConfirmed(tenantId: string, orderId: string): Promise<boolean> {
    const rows = await this.db.query({ operation: 'UPDATE', collection: 'orders' })`
      UPDATE orders SET confirmed_at = now() WHERE tenant_id = ${tenantId} AND id = ${orderId} RETURNING id`;
    return rows.length > 0;
  }
}
