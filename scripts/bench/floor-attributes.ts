import type { Attributes } from '@opentelemetry/api';

/**
 * The server span's attributes of a cache-hit request, as the api sets them (10 with the status code
 * set at the end): the input of both floor benchmarks (span-floor.ts, sampled-floor.ts).
 */
export function cacheHitServerAttributes(i: number): Attributes {
  return {
    'http.request.method': 'GET',
    'url.path': '/api/products',
    'url.scheme': 'http',
    'server.address': '127.0.0.1',
    'server.port': 18490,
    'client.address': '127.0.0.1',
    'user_agent.original': 'autocannon/8',
    'network.protocol.version': '1.1',
    'tenant.id': `t-${i & 7}`,
  };
}

/** The attributes of the request-duration histogram record of that request (5). */
export function cacheHitDurationAttributes(i: number): Attributes {
  return {
    'http.request.method': 'GET',
    'url.scheme': 'http',
    'network.protocol.version': '1.1',
    'http.response.status_code': 200,
    'http.route': i & 1 ? '/api/products' : '/api/products/:id',
  };
}
