import type { Counter } from '@opentelemetry/api';
import { meter } from './scope.ts';

let deadLettered: Counter | undefined;

/**
 * Messages moved to a dead-letter stream after too many failed deliveries. Semconv has no
 * dead-letter instrument, so the name is ours; its attributes are the bounded messaging ones.
 */
export function deadLetteredCounter(): Counter {
  deadLettered ??= meter().createCounter('shop.confirmations.dead_lettered', {
    description: 'Order confirmations moved to the dead-letter stream after too many failed deliveries.',
    unit: '{message}',
  });
  return deadLettered;
}
