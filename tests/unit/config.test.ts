import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/config/parse-config.ts';
import { loadApiConfig, loadPaymentsConfig } from '../../src/config/service-config.ts';

describe('service configuration', () => {
  it('has working defaults for every setting', () => {
    const config = loadApiConfig({});
    expect(config).toMatchObject({ PORT: 8080, PAYMENTS_URL: 'http://payments:8081', MIGRATE_ON_START: true, RATE_LIMIT_PER_MINUTE: 6000 });
  });

  it('names every broken setting in one error', () => {
    const load = () => loadApiConfig({ PORT: '70000', DATABASE_URL: 'nope', MIGRATE_ON_START: 'maybe' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/PORT: /);
    expect(load).toThrow(/DATABASE_URL: Invalid URL/);
    expect(load).toThrow(/MIGRATE_ON_START: expected true or false/);
  });

  it('parses rates, booleans and rejects out-of-range values', () => {
    expect(loadPaymentsConfig({ PAYMENTS_FAILURE_RATE: '0.5', PAYMENTS_LATENCY_MS: '0' })).toMatchObject({
      PAYMENTS_FAILURE_RATE: 0.5,
      PAYMENTS_LATENCY_MS: 0,
    });
    expect(() => loadPaymentsConfig({ PAYMENTS_FAILURE_RATE: '1.5' })).toThrow(/PAYMENTS_FAILURE_RATE/);
    expect(() => loadPaymentsConfig({ ADMIN_TOKEN: 'short' })).toThrow(/ADMIN_TOKEN/);
    expect(loadApiConfig({ MIGRATE_ON_START: 'false' }).MIGRATE_ON_START).toBe(false);
  });

  it('login limits and hashing concurrency: defaults, and a broken value fails naming the setting', () => {
    expect(loadApiConfig({})).toMatchObject({
      LOGIN_RATE_LIMIT_PER_ACCOUNT: 10,
      LOGIN_RATE_LIMIT_PER_CLIENT: 600,
      SCRYPT_CONCURRENCY: 2,
    });
    expect(() => loadApiConfig({ SCRYPT_CONCURRENCY: '0' })).toThrow(/SCRYPT_CONCURRENCY: /);
    expect(() => loadApiConfig({ LOGIN_RATE_LIMIT_PER_ACCOUNT: 'ten' })).toThrow(/LOGIN_RATE_LIMIT_PER_ACCOUNT: /);
    expect(() => loadApiConfig({ LOGIN_RATE_LIMIT_PER_CLIENT: '-1' })).toThrow(/LOGIN_RATE_LIMIT_PER_CLIENT: /);
  });
});
