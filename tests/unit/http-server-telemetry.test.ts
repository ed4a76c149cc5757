import { describe, expect, it } from 'vitest';
import { splitHost } from '../../src/telemetry/http-server.ts';

describe('server.address and server.port from the Host header', () => {
  it('split host and port, IPv6 without its brackets', () => {
    expect(splitHost('127.0.0.1:8080', 'http')).toEqual({ address: '127.0.0.1', port: 8080 });
    expect(splitHost('[::1]:8443', 'https')).toEqual({ address: '::1', port: 8443 });
    expect(splitHost('shop.example', 'http')).toEqual({ address: 'shop.example', port: 80 });
  });

  it('take the default port of the scheme when the header names none', () => {
    expect(splitHost('shop.example', 'https')).toEqual({ address: 'shop.example', port: 443 });
    expect(splitHost('[::1]', 'http')).toEqual({ address: '::1', port: 80 });
  });

  it('keep a header that is not host[:port] whole, without a port', () => {
    expect(splitHost('a:b:c', 'http')).toEqual({ address: 'a:b:c', port: undefined });
  });
});
