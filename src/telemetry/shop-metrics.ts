import type { Counter, Histogram } from '@opentelemetry/api';
import { METRIC_DB_CLIENT_OPERATION_DURATION } from '@opentelemetry/semantic-conventions';
import { DURATION_BUCKETS_SECONDS } from './attributes.ts';
import { meter as scopeMeter } from './scope.ts';

/**
 * Business and dependency instruments. Every attribute here is bounded (tenants, SKUs, sources and
 * reasons come from fixed sets): user, order and request ids never become metric attributes.
 */
export interface ShopMetrics {
  orders: Counter;
  revenue: Counter;
  productsSold: Counter;
  signups: Counter;
  paymentFailures: Counter;
  apiCalls: Counter;
  cacheRequests: Counter;
  rateLimitRejections: Counter;
  loginRateLimited: Counter;
  dbOperationDuration: Histogram;
}

let instance: ShopMetrics | undefined;

/** Instruments are created on first use, after the SDK has registered the global MeterProvider. */
export function shopMetrics(): ShopMetrics {
  if (instance) return instance;
  const meter = scopeMeter();
  instance = {
    orders: meter.createCounter('shop.orders', { description: 'Orders processed, by outcome.', unit: '{order}' }),
    revenue: meter.createCounter('shop.revenue', { description: 'Revenue of completed orders.', unit: '{USD}' }),
    productsSold: meter.createCounter('shop.products.sold', { description: 'Units sold in completed orders.', unit: '{unit}' }),
    signups: meter.createCounter('shop.signups', { description: 'User signups, by source.', unit: '{signup}' }),
    paymentFailures: meter.createCounter('shop.payment.failures', {
      description: 'Charges that did not succeed, by reason.',
      unit: '{charge}',
    }),
    apiCalls: meter.createCounter('shop.api.calls', { description: 'API calls per tenant.', unit: '{call}' }),
    cacheRequests: meter.createCounter('shop.cache.requests', { description: 'Cache lookups, by result.', unit: '{lookup}' }),
    rateLimitRejections: meter.createCounter('shop.rate_limit.rejections', {
      description: 'Requests refused by the per-tenant rate limit.',
      unit: '{request}',
    }),
    // Apart from the per-tenant counter, whose runbook (TrafficSpike) reads it as tenant load.
    loginRateLimited: meter.createCounter('shop.login.rate_limited', {
      description: 'Login attempts refused by the per-client or per-account login limit (rate_limit.scope).',
      unit: '{attempt}',
    }),
    dbOperationDuration: meter.createHistogram(METRIC_DB_CLIENT_OPERATION_DURATION, {
      description: 'Duration of database client operations.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS },
    }),
  };
  return instance;
}
