import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep } from '../../src/infra/redact.ts';

describe('redactDeep', () => {
  it('replaces sensitive keys at any depth, in arrays too, and leaves the rest', () => {
    const input = {
      email: 'a@b.c',
      password: 'p',
      nested: { deeper: [{ apiKey: 'k', token: 't', keep: 1 }], Authorization: 'Bearer x', cookie: 'c' },
      payment: { card_number: '4111', credit_card: '4111', cvc: '123' },
      ssn: '1',
      client_secret: 's',
    };
    expect(redactDeep(input)).toEqual({
      email: 'a@b.c',
      password: REDACTED,
      nested: { deeper: [{ apiKey: REDACTED, token: REDACTED, keep: 1 }], Authorization: REDACTED, cookie: REDACTED },
      payment: { card_number: REDACTED, credit_card: REDACTED, cvc: REDACTED },
      ssn: REDACTED,
      client_secret: REDACTED,
    });
  });

  it('does not modify its input and passes primitives through', () => {
    const input = { password: 'p' };
    redactDeep(input);
    expect(input.password).toBe('p');
    expect(redactDeep('text')).toBe('text');
    expect(redactDeep(null)).toBe(null);
  });

  it('stops at a bounded depth instead of walking a cycle forever', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(JSON.stringify(redactDeep(cyclic))).toContain('[TRUNCATED]');
  });
});
