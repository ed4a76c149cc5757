import type { Counter } from '@opentelemetry/api';
import { meter } from './scope.ts';

let staleSettled: Counter | undefined;

/**
 * Orders found pending past the checkout bound and failed by the worker's sweeper (their process
 * died mid-checkout). Its own name, not an attribute of shop.orders, which counts them as failed
 * too: any value here means checkouts are being cut off, which deserves a look of its own.
 */
export function staleOrdersSettledCounter(): Counter {
  staleSettled ??= meter().createCounter('shop.stale_orders.settled', {
    description: 'Orders left pending by a checkout that never finished, failed and their stock released.',
    unit: '{order}',
  });
  return staleSettled;
}
