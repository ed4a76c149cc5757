/**
 * What the confirmation stream tells about a message it carries: a PRODUCER `send` span, a CONSUMER
 * `process` span under it, and the recommended messaging metrics (confirmation-dead-letters.test.ts:
 * the messages it cannot deliver).
 */
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { CONFIRMATIONS_GROUP, CONFIRMATIONS_STREAM, RedisOrderEvents } from '../../src/infra/redis/order-events.ts';
import { withSpan } from '../../src/telemetry/tracing.ts';
import { confirmation, redis, startConsumer, useConfirmationStream } from '../helpers/confirmation-stream.ts';
import { eventually, finishedSpans, metricPoints } from '../helpers/telemetry.ts';

useConfirmationStream();

describe('the confirmation stream', () => {
  it('makes a PRODUCER `send` span and a CONSUMER `process` span whose parent is the send span, linked to it too', async () => {
    const handled: string[] = [];
    await startConsumer(async (c) => {
      await withSpan('deliver_confirmation', {}, async () => {
        handled.push(c.orderId);
      });
    });
    const orderId = `order-${Date.now()}`;
    const messageId = await withSpan('send_confirmation', {}, () => new RedisOrderEvents(redis).publishConfirmation(confirmation(orderId)));
    await eventually(
      () => handled,
      (ids) => ids.includes(orderId),
    );
    const spans = await eventually(
      () => finishedSpans().filter((s) => s.attributes['messaging.message.id'] === messageId),
      (found) => found.length === 2,
    );
    const send = spans.find((s) => s.name === `send ${CONFIRMATIONS_STREAM}`);
    const process = spans.find((s) => s.name === `process ${CONFIRMATIONS_STREAM}`);
    expect(send?.kind).toBe(SpanKind.PRODUCER);
    expect(process?.kind).toBe(SpanKind.CONSUMER);
    const common = {
      'messaging.system.name': 'redis',
      'messaging.destination.name': CONFIRMATIONS_STREAM,
      'messaging.message.id': messageId,
    };
    expect(send!.attributes).toEqual({
      ...common,
      'messaging.operation.name': 'send',
      'messaging.operation.type': 'send',
      'server.service.name': 'worker',
    });
    expect(process!.attributes).toEqual({
      ...common,
      'messaging.operation.name': 'process',
      'messaging.operation.type': 'process',
      'messaging.consumer.group.name': CONFIRMATIONS_GROUP,
    });
    expect(process!.attributes).not.toHaveProperty('peer.service');
    expect(send!.attributes).not.toHaveProperty('peer.service');
    expect(process!.parentSpanContext?.spanId).toBe(send!.spanContext().spanId);
    expect(process!.spanContext().traceId).toBe(send!.spanContext().traceId);
    // The messaging conventions: a process span SHOULD link to the creation context; it stays the parent.
    expect(process!.links.map((l) => [l.context.traceId, l.context.spanId])).toEqual([
      [send!.spanContext().traceId, send!.spanContext().spanId],
    ]);
    const deliver = finishedSpans().find(
      (s) => s.name === 'deliver_confirmation' && s.parentSpanContext?.spanId === process!.spanContext().spanId,
    );
    expect(deliver, 'handler span under the process span').toBeDefined();

    // The recommended messaging metrics, with bounded attributes only (no message id).
    const stream = { 'messaging.system.name': 'redis', 'messaging.destination.name': CONFIRMATIONS_STREAM };
    const consumer = { ...stream, 'messaging.consumer.group.name': CONFIRMATIONS_GROUP };
    const send_ = { ...stream, 'messaging.operation.name': 'send', 'messaging.operation.type': 'send' };
    const points = async (name: string, attributes: Record<string, unknown>) =>
      (await metricPoints(name)).filter(
        (p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v) && !('error.type' in p.attributes),
      );
    expect((await points('messaging.client.sent.messages', send_))[0]?.value).toBeGreaterThanOrEqual(1);
    expect((await points('messaging.client.operation.duration', send_))[0]?.attributes).toEqual(send_);
    const received = { ...consumer, 'messaging.operation.name': 'receive', 'messaging.operation.type': 'receive' };
    expect((await points('messaging.client.consumed.messages', received))[0]?.value).toBeGreaterThanOrEqual(1);
    const processed = { ...consumer, 'messaging.operation.name': 'process', 'messaging.operation.type': 'process' };
    expect((await points('messaging.process.duration', processed))[0]?.attributes).toEqual(processed);
  });
});
