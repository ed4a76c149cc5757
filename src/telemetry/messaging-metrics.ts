import type { Counter } from '@opentelemetry/api';
import { meter } from './scope.ts';

let deadLettered: Counter | undefined;
let deadLetterTrimmed: Counter | undefined;

/**
 * Messages moved to a dead-letter stream: malformed at once, the others after too many failed
 * deliveries (`error.type` says which). Semconv has no dead-letter instrument, so the name is ours;
 * its attributes are the bounded messaging ones.
 */
export function deadLetteredCounter(): Counter {
  deadLettered ??= meter().createCounter('shop.confirmations.dead_lettered', {
    description: 'Order confirmations moved to the dead-letter stream: malformed, or failed too many deliveries (error.type).',
    unit: '{message}',
  });
  return deadLettered;
}

/**
 * Dead letters dropped from the capped dead-letter stream to make room for new ones: what was lost
 * without anyone having read it. Its destination is the dead-letter stream.
 */
export function deadLetterTrimmedCounter(): Counter {
  deadLetterTrimmed ??= meter().createCounter('shop.confirmations.dead_letter.trimmed', {
    description: 'Entries dropped from the capped dead-letter stream (oldest first) to keep it at its maximum length.',
    unit: '{message}',
  });
  return deadLetterTrimmed;
}
