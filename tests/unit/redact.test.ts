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

describe('redactDeep on Error objects', () => {
  class DriverError extends Error {
    override name = 'DriverError';
  }

  it('redacts enumerable fields of an Error (as driver errors carry) and keeps its type, message, stack and cause', () => {
    const cause = Object.assign(new Error('socket closed'), { authorization: 'Bearer c-9' });
    const error = Object.assign(new DriverError('connect failed', { cause }), {
      code: 'ECONNREFUSED',
      token: 't-123',
      config: { host: 'db', user: 'shop', password: 'pw-456', headers: { Authorization: 'Bearer x' } },
    });
    const out = redactDeep({ err: error }) as { err: DriverError & Record<string, any> };
    expect(out.err).toBeInstanceOf(DriverError);
    expect(out.err).not.toBe(error);
    expect(out.err.name).toBe('DriverError');
    expect(out.err.message).toBe('connect failed');
    expect(out.err.stack).toBe(error.stack);
    expect(out.err.code).toBe('ECONNREFUSED');
    expect(out.err.token).toBe(REDACTED);
    expect(out.err.config).toEqual({ host: 'db', user: 'shop', password: REDACTED, headers: { Authorization: REDACTED } });
    expect((out.err.cause as Record<string, unknown>).authorization).toBe(REDACTED);
    expect(error.config.password).toBe('pw-456');
    expect(JSON.stringify(out)).not.toMatch(/t-123|pw-456|Bearer/);
  });

  it('redacts the errors of an AggregateError', () => {
    const inner = Object.assign(new Error('one'), { password: 'pw-789' });
    const out = redactDeep(new AggregateError([inner], 'many')) as AggregateError;
    expect(out).toBeInstanceOf(AggregateError);
    expect((out.errors[0] as Record<string, unknown>).password).toBe(REDACTED);
  });
});

describe('the logger', () => {
  it('writes an error with secret-bearing fields as a redacted err object, type and stack intact', async () => {
    const { createLogger } = await import('../../src/infra/logger.ts');
    const lines: string[] = [];
    const logger = createLogger('test', 'info', { write: (line: string) => lines.push(line) });
    const error = Object.assign(new TypeError('query failed'), { config: { password: 'pw-logged-1' }, token: 'tok-logged-2' });
    logger.error({ err: error }, 'request_failed');
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toMatch(/pw-logged-1|tok-logged-2/);
    const { err } = JSON.parse(lines[0]!) as { err: Record<string, unknown> };
    expect(err).toMatchObject({ type: 'TypeError', message: 'query failed', config: { password: REDACTED }, token: REDACTED });
    expect(err.stack).toContain('TypeError: query failed');
  });
});
