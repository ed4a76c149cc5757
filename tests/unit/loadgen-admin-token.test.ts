import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/usage.ts';
import { parseLoadArgs } from '../../src/loadgen/args.ts';

describe('load generator: failure scenarios and the admin token', () => {
  it.each([
    ['payments-failing', 'payments'],
    ['payments-slow', 'payments'],
    ['db-saturation', 'api'],
    ['redis-down', 'api'],
  ])('%s without a token is refused before any traffic, naming the flag, the variable and %s', (scenario, service) => {
    const parse = () => parseLoadArgs(['--scenario', scenario]);
    expect(parse).toThrow(UsageError);
    expect(parse).toThrow(new RegExp(`scenario ${scenario} switches a fault on ${service}`));
    expect(parse).toThrow(/--admin-token T \(or set ADMIN_TOKEN\)/);
    expect(parse).toThrow(/admin endpoints off/);
  });

  it('takes the token from the flag, else from ADMIN_TOKEN', () => {
    expect(parseLoadArgs(['--scenario', 'redis-down', '--admin-token', 'flag-token-0123']).adminToken).toBe('flag-token-0123');
    expect(parseLoadArgs(['--scenario', 'redis-down'], { ADMIN_TOKEN: 'env-token-0123' }).adminToken).toBe('env-token-0123');
  });

  it('scenarios without a fault need no token', () => {
    expect(parseLoadArgs(['--scenario', 'mixed']).adminToken).toBeUndefined();
  });
});
