import type { Attributes, Counter, Histogram } from '@opentelemetry/api';
import { ATTR_ERROR_TYPE } from '@opentelemetry/semantic-conventions';
import { DURATION_BUCKETS_SECONDS } from './attributes.ts';
import { meter } from './scope.ts';
import {
  METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES,
  METRIC_MESSAGING_CLIENT_OPERATION_DURATION,
  METRIC_MESSAGING_CLIENT_SENT_MESSAGES,
  METRIC_MESSAGING_PROCESS_DURATION,
} from './semconv.ts';
import { errorType } from './tracing.ts';

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

interface MessagingInstruments {
  clientOperationDuration: Histogram;
  processDuration: Histogram;
  sentMessages: Counter;
  consumedMessages: Counter;
}

let instruments: MessagingInstruments | undefined;

/** The messaging conventions' recommended instruments (semconv 1.45.0), created on first use. */
export function messagingMetrics(): MessagingInstruments {
  if (instruments) return instruments;
  const m = meter();
  const advice = { explicitBucketBoundaries: DURATION_BUCKETS_SECONDS };
  instruments = {
    clientOperationDuration: m.createHistogram(METRIC_MESSAGING_CLIENT_OPERATION_DURATION, {
      description: 'Duration of messaging operation initiated by a producer or consumer client.',
      unit: 's',
      advice,
    }),
    processDuration: m.createHistogram(METRIC_MESSAGING_PROCESS_DURATION, { description: 'Duration of processing operation.', unit: 's', advice }),
    sentMessages: m.createCounter(METRIC_MESSAGING_CLIENT_SENT_MESSAGES, {
      description: 'Number of messages producer attempted to send to the broker.',
      unit: '{message}',
    }),
    consumedMessages: m.createCounter(METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES, {
      description: 'Number of messages that were delivered to the application.',
      unit: '{message}',
    }),
  };
  return instruments;
}

/**
 * Runs `fn` and records its duration in `histogram` with `attributes`, plus `error.type` when it
 * throws; `counter`, if given, counts the attempt with the same attributes.
 */
export async function timed<T>(histogram: Histogram, attributes: Attributes, fn: () => Promise<T>, counter?: Counter): Promise<T> {
  const started = performance.now();
  let failure: Attributes = {};
  try {
    return await fn();
  } catch (error) {
    failure = { [ATTR_ERROR_TYPE]: errorType(error instanceof Error ? error : new Error(String(error))) };
    throw error;
  } finally {
    histogram.record((performance.now() - started) / 1000, { ...attributes, ...failure });
    counter?.add(1, { ...attributes, ...failure });
  }
}
