import { describe, expect, it } from 'vitest';
import { describeStatement, truncateStatement } from '../../src/infra/db/query-text.ts';

const strings = (parts: string[]) => Object.assign([...parts], { raw: parts }) as unknown as TemplateStringsArray;

describe('describeStatement', () => {
  it('puts $n placeholders where values were interpolated and never the values', () => {
    const info = describeStatement(strings(['SELECT id FROM users WHERE email = ', ' AND tenant_id = ', '']));
    expect(info).toEqual({
      text: 'SELECT id FROM users WHERE email = $1 AND tenant_id = $2',
      operation: 'SELECT',
      summary: 'SELECT users',
      collection: 'users',
    });
  });

  it('names db.collection.name only for a statement on a single table', () => {
    expect(describeStatement(strings(['UPDATE orders SET status = ', ' WHERE id = ', ''])).collection).toBe('orders');
    expect(describeStatement(strings(['SELECT o.id FROM orders o JOIN order_lines l ON l.order_id = o.id'])).collection).toBeUndefined();
    expect(describeStatement(strings(['SELECT id FROM users WHERE id IN (SELECT user_id FROM orders)'])).collection).toBeUndefined();
    expect(describeStatement(strings(['SELECT pg_sleep(2)'])).collection).toBeUndefined();
  });

  it('names the target of inserts and updates and collapses whitespace', () => {
    expect(describeStatement(strings(['\n  INSERT INTO orders (a)\n VALUES (', ')'])).summary).toBe('INSERT orders');
    expect(describeStatement(strings(['update "products" set stock = stock - ', ''])).summary).toBe('UPDATE products');
    expect(describeStatement(strings(['SELECT 1'])).summary).toBe('SELECT');
  });

  it('describes a statement of the code once, however often it runs', () => {
    // As InstrumentedDb calls it: with the literal parts of the tagged template; values are ignored.
    const tag = (parts: TemplateStringsArray, ...values: unknown[]) => (void values, describeStatement(parts));
    const callSite = (id: number) => tag`SELECT name FROM products WHERE id = ${id}`;
    const first = callSite(1);
    expect(callSite(2)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(tag`SELECT name FROM products WHERE id = ${3}`).not.toBe(first);
  });
});

describe('truncateStatement', () => {
  it('cuts long statements to the limit', () => {
    expect(truncateStatement('x'.repeat(500))).toHaveLength(200);
    expect(truncateStatement('short')).toBe('short');
  });
});
