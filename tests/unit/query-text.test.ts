import { describe, expect, it } from 'vitest';
import { describeStatement, truncateStatement } from '../../src/infra/db/query-text.ts';

const strings = (parts: string[]) => Object.assign([...parts], { raw: parts }) as unknown as TemplateStringsArray;

describe('describeStatement', () => {
  it('puts $n placeholders where values were interpolated and never the values', () => {
    const info = describeStatement({ operation: 'SELECT', collection: 'users' }, strings(['SELECT id FROM users WHERE email = ', ' AND tenant_id = ', '']));
    expect(info).toEqual({
      text: 'SELECT id FROM users WHERE email = $1 AND tenant_id = $2',
      operation: 'SELECT',
      summary: 'SELECT users',
      collection: 'users',
    });
  });

  it('takes operation, collection and summary from the call site, never from the query text', () => {
    // A CTE starts with WITH and names two tables: parsing would say `WITH`, `WITH recent` or `orders`.
    const cte = strings(['WITH recent AS (SELECT id FROM orders WHERE created_at > ', ') UPDATE products SET stock = 0']);
    expect(describeStatement({ operation: 'UPDATE', collection: 'products', summary: 'SELECT orders UPDATE products' }, cte)).toEqual({
      text: 'WITH recent AS (SELECT id FROM orders WHERE created_at > $1) UPDATE products SET stock = 0',
      operation: 'UPDATE',
      collection: 'products',
      summary: 'SELECT orders UPDATE products',
    });
    const join = strings(['SELECT p.sku FROM products p JOIN order_lines l ON l.sku = p.sku']);
    expect(describeStatement({ operation: 'SELECT', summary: 'SELECT products order_lines' }, join)).toEqual({
      text: 'SELECT p.sku FROM products p JOIN order_lines l ON l.sku = p.sku',
      operation: 'SELECT',
      summary: 'SELECT products order_lines',
    });
  });

  it('summarizes as `{operation} {collection}` or the operation alone when none is declared, and collapses whitespace', () => {
    expect(describeStatement({ operation: 'INSERT', collection: 'orders' }, strings(['\n  INSERT INTO orders (a)\n VALUES (', ')']))).toMatchObject({
      summary: 'INSERT orders',
      text: 'INSERT INTO orders (a) VALUES ($1)',
    });
    expect(describeStatement({ operation: 'SELECT' }, strings(['SELECT 1']))).toEqual({ text: 'SELECT 1', operation: 'SELECT', summary: 'SELECT' });
  });

  it('builds the text of a statement of the code once, however often it runs', () => {
    const seen: string[] = [];
    const tag = (parts: TemplateStringsArray, ...values: unknown[]) => (void values, describeStatement({ operation: 'SELECT' }, parts).text);
    const callSite = (id: number) => tag`SELECT name FROM products WHERE id = ${id}`;
    seen.push(callSite(1), callSite(2));
    expect(seen[0]).toBe(seen[1]);
    expect(seen[0]).toBe('SELECT name FROM products WHERE id = $1');
  });
});

describe('truncateStatement', () => {
  it('cuts long statements to the limit', () => {
    expect(truncateStatement('x'.repeat(500))).toHaveLength(200);
    expect(truncateStatement('short')).toBe('short');
  });
});
