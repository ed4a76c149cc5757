/**
 * The messages the confirmation stream cannot deliver: a poison message after maxDeliveries, a
 * malformed entry at once, both to a capped dead-letter stream, counted and logged, while the
 * others are served (confirmation-stream.test.ts: what the stream tells about a message it carries).
 */
import { SpanKind } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { ConfirmationService } from '../../src/domain/confirmations.ts';
import type { OrderConfirmation, OrderRepository } from '../../src/domain/ports.ts';
import {
  CONFIRMATIONS_DEAD_LETTER_STREAM,
  CONFIRMATIONS_GROUP,
  CONFIRMATIONS_STREAM,
  RedisOrderEvents,
} from '../../src/infra/redis/order-events.ts';
import {
  confirmation,
  deadLetteredTotal,
  deadLetters,
  logger,
  redis,
  startConsumer,
  stopConsumers,
  useConfirmationStream,
  trimmedTotal,
} from '../helpers/confirmation-stream.ts';
import { eventually, exportedLogs, finishedSpans, metricPoints } from '../helpers/telemetry.ts';

useConfirmationStream();

describe('the confirmation stream', () => {
  it('dead-letters a poison message after maxDeliveries deliveries, counts and logs it, and keeps serving the others', async () => {
    const attempts = new Map<string, number>();
    const done: string[] = [];
    await startConsumer(
      async (c) => {
        attempts.set(c.orderId, (attempts.get(c.orderId) ?? 0) + 1);
        if (c.orderId === 'poison') throw new Error('cannot render this confirmation');
        done.push(c.orderId);
      },
      { maxDeliveries: 3 },
    );
    const deadBefore = await deadLetteredTotal();
    const events = new RedisOrderEvents(redis);
    await events.publishConfirmation(confirmation('good-1'));
    const poisonId = await events.publishConfirmation(confirmation('poison'));
    await events.publishConfirmation(confirmation('good-2'));

    const dead = await eventually(
      async () => ((await redis.xRange(CONFIRMATIONS_DEAD_LETTER_STREAM, '-', '+')) ?? []).flatMap((e) => (e ? [e] : [])),
      (entries) => entries.length > 0,
    );
    expect(dead).toHaveLength(1);
    expect(dead[0]!.message).toMatchObject({ order_id: 'poison', source_message_id: poisonId, delivery_count: '3' });
    expect(dead[0]!.message.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(attempts.get('poison')).toBe(3);
    expect(done).toEqual(expect.arrayContaining(['good-1', 'good-2']));
    // Acknowledged: nothing of the group is pending any more, so it is never retried again.
    const pending = await redis.xPending(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP);
    expect(pending.pending).toBe(0);
    expect((await deadLetteredTotal()) - deadBefore).toBe(1);
    const log = exportedLogs().find((r) => r.body === 'confirmation_dead_lettered' && r.attributes.message_id === poisonId);
    expect(log?.severityText).toBe('error');
    expect(log?.attributes).toMatchObject({ order_id: 'poison', delivery_count: 3, dead_letter_stream: CONFIRMATIONS_DEAD_LETTER_STREAM });
    const settle = finishedSpans().find(
      (s) => s.name === `dead_letter ${CONFIRMATIONS_STREAM}` && s.attributes['messaging.message.id'] === poisonId,
    );
    expect(settle?.attributes['messaging.operation.type']).toBe('settle');
    expect(settle?.kind).toBe(SpanKind.CLIENT);
    expect(settle?.spanContext().traceId).toBe(dead[0]!.message.traceparent!.split('-')[1]);
    // Each failed delivery: its exception is one record, in the context of the consumer span that
    // handled it (ERROR, with error.type), which carries no exception event.
    const consumers = finishedSpans().filter((s) => s.kind === SpanKind.CONSUMER && s.attributes['messaging.message.id'] === poisonId);
    const failures = exportedLogs().filter((r) => r.body === 'confirmation_failed' && r.attributes.message_id === poisonId);
    expect(failures).toHaveLength(3);
    expect(failures.map((r) => r.spanContext?.spanId).sort()).toEqual(consumers.map((s) => s.spanContext().spanId).sort());
    for (const span of consumers) {
      expect(span.attributes['error.type']).toBe('Error');
      expect(span.events).toEqual([]);
    }
    const settles = (await metricPoints('messaging.client.operation.duration')).filter(
      (p) => p.attributes['messaging.operation.name'] === 'dead_letter' && p.attributes['messaging.operation.type'] === 'settle',
    );
    expect(settles.length).toBeGreaterThan(0);
    // Each failed delivery is logged inside its process span: the record carries that span's ids.
    const processSpans = finishedSpans().filter(
      (s) => s.name === `process ${CONFIRMATIONS_STREAM}` && s.attributes['messaging.message.id'] === poisonId,
    );
    for (const record of failures) {
      expect(record.spanContext?.traceId).toBe(settle?.spanContext().traceId);
      expect(processSpans.map((s) => s.spanContext().spanId)).toContain(record.spanContext?.spanId);
    }
    const failedProcessing = (await metricPoints('messaging.process.duration')).find((p) => p.attributes['error.type'] === 'Error');
    expect(failedProcessing, 'a failed delivery is a process duration with error.type').toBeDefined();
  });

  it('dead-letters a malformed entry at its first delivery, without handing it to the handler', async () => {
    const handled: OrderConfirmation[] = [];
    // A retry would come only after a minute: the entry can reach the dead-letter stream only at once.
    await startConsumer(async (c) => void handled.push(c), { maxDeliveries: 5, reclaimIdleMs: 60_000 });
    const before = await deadLetteredTotal('malformed');
    const malformedId = await redis.xAdd(CONFIRMATIONS_STREAM, '*', { order_id: 'no-tenant-nor-user' });
    await new RedisOrderEvents(redis).publishConfirmation(confirmation('well-formed'));
    const dead = await eventually(deadLetters, (entries) => entries.length > 0);
    expect(dead).toHaveLength(1);
    expect(dead[0]!.message).toMatchObject({ source_message_id: malformedId, delivery_count: '1', reason: 'malformed' });
    await eventually(
      () => handled.map((c) => c.orderId),
      (ids) => ids.includes('well-formed'),
    );
    expect(handled.map((c) => c.orderId)).toEqual(['well-formed']);
    expect((await redis.xPending(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP)).pending).toBe(0);
    expect((await deadLetteredTotal('malformed')) - before).toBe(1);
    const log = exportedLogs().find((r) => r.body === 'confirmation_dead_lettered' && r.attributes.message_id === malformedId);
    expect(log?.attributes).toMatchObject({ reason: 'malformed', delivery_count: 1 });
  });

  it('dead-letters at once an entry the real handler rejects as malformed (an order id that is not a UUID)', async () => {
    const confirmations = new ConfirmationService({ markConfirmed: async () => true } as unknown as OrderRepository, logger);
    await startConsumer((c) => confirmations.deliver(c), { maxDeliveries: 5, reclaimIdleMs: 60_000 });
    const before = await deadLetteredTotal('malformed');
    const id = await new RedisOrderEvents(redis).publishConfirmation(confirmation('not-an-order-id'));
    const dead = await eventually(deadLetters, (entries) => entries.length > 0);
    expect(dead[0]!.message).toMatchObject({ source_message_id: id, order_id: 'not-an-order-id', reason: 'malformed' });
    expect((await redis.xPending(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP)).pending).toBe(0);
    expect((await deadLetteredTotal('malformed')) - before).toBe(1);
    expect(exportedLogs().some((r) => r.body === 'confirmation_failed' && r.attributes.message_id === id)).toBe(false);
  });

  it('caps the dead-letter stream at deadLetterMaxLen, oldest first, and counts what it trims', async () => {
    await startConsumer(async () => {}, { deadLetterMaxLen: 2 });
    const deadBefore = await deadLetteredTotal();
    const trimmedBefore = await trimmedTotal();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await redis.xAdd(CONFIRMATIONS_STREAM, '*', { order_id: `malformed-${i}` }));
    await eventually(deadLetteredTotal, (total) => total - deadBefore === 5);
    const kept = await deadLetters();
    expect(kept.map((e) => e.message.source_message_id)).toEqual(ids.slice(3));
    expect((await trimmedTotal()) - trimmedBefore).toBe(3);
  });

  it('under a steady stream, poison messages wait in the pending list while all the others are served, then are retried and dead-lettered', async () => {
    const RATE = 200;
    const poison = new Set(['poison-a', 'poison-b', 'poison-c']);
    const poisonAt = new Map([
      [50, 'poison-a'],
      [150, 'poison-b'],
      [250, 'poison-c'],
    ]);
    const handled: string[] = [];
    const handle = async (c: OrderConfirmation) => {
      handled.push(c.orderId);
      if (poison.has(c.orderId)) throw new Error('cannot render this confirmation');
    };
    const events = new RedisOrderEvents(redis);
    const publishSteadily = async (ids: string[]) => {
      const started = performance.now();
      for (const [i, id] of ids.entries()) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + (i * 1000) / RATE - performance.now())));
        await events.publishConfirmation(confirmation(id));
      }
    };
    const served = (ids: string[]) => ids.every((id) => handled.includes(id));

    // A retry only after a minute: whatever is served here was served while the poison waited.
    await startConsumer(handle, { maxDeliveries: 3, reclaimIdleMs: 60_000 });
    const first = Array.from({ length: 400 }, (_, i) => poisonAt.get(i) ?? `steady-${i}`);
    await publishSteadily(first);
    const good = first.filter((id) => !poison.has(id));
    await eventually(
      () => handled,
      () => served(good),
      10_000,
    );
    expect(handled.filter((id) => !poison.has(id)).sort(), 'each served once').toEqual([...good].sort());
    const waiting = await redis.xPendingRange(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP, '-', '+', 10);
    expect(waiting.map((p) => p.deliveriesCounter)).toEqual([1, 1, 1]);
    expect(await deadLetters()).toEqual([]);

    // A worker that retries after 50 ms takes over: the poisons are retried and dead-lettered at their
    // third delivery while a second stream flows.
    await stopConsumers();
    await startConsumer(handle, { maxDeliveries: 3, reclaimIdleMs: 50 });
    const second = Array.from({ length: 200 }, (_, i) => `later-${i}`);
    await publishSteadily(second);
    const dead = await eventually(
      async () => (await deadLetters()).map((e) => e.message),
      (entries) => entries.length === poison.size && served(second),
      10_000,
    );
    expect(dead.map((m) => m.order_id).sort()).toEqual([...poison].sort());
    expect(dead.every((m) => m.delivery_count === '3')).toBe(true);
    for (const id of poison)
      expect(
        handled.filter((h) => h === id),
        id,
      ).toHaveLength(3);
    expect((await redis.xPending(CONFIRMATIONS_STREAM, CONFIRMATIONS_GROUP)).pending).toBe(0);
  });
});
