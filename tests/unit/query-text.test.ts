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
    });
  });

  it('names the target of inserts and updates and collapses whitespace', () => {
    expect(describeStatement(strings(['\n  INSERT INTO orders (a)\n VALUES (', ')'])).summary).toBe('INSERT orders');
    expect(describeStatement(strings(['update "products" set stock = stock - ', ''])).summary).toBe('UPDATE products');
    expect(describeStatement(strings(['SELECT 1'])).summary).toBe('SELECT');
  });
});

describe('truncateStatement', () => {
  it('cuts long statements to the limit', () => {
    expect(truncateStatement('x'.repeat(500))).toHaveLength(200);
    expect(truncateStatement('short')).toBe('short');
  });
});
