import { context, ROOT_CONTEXT, trace, TraceFlags, type Span } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AlwaysOnSampler,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TracerProvider,
  type Sampler,
} from '@opentelemetry/sdk-trace';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dropsChildrenOfUnsampled } from '../../src/instrumentation/sampler.ts';
import { droppedParent, setChildrenOfUnsampledDropped, withSpan } from '../../src/telemetry/tracing.ts';

/**
 * Under head sampling most requests are not sampled: a span of ours whose parent the sampler dropped
 * is not started at all (src/telemetry/tracing.ts, droppedParent), since the sampler would drop it
 * too. Only for samplers that do drop such children; with the others the SDK decides as always.
 */
const exporter = new InMemorySpanExporter();
let sampler: Sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
const delegating: Sampler = { shouldSample: (...args) => sampler.shouldSample(...args), toString: () => 'test' };

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  trace.setGlobalTracerProvider(new TracerProvider({ sampler: delegating, spanProcessors: [new SimpleSpanProcessor({ exporter })] }));
});

afterEach(() => {
  exporter.reset();
  setChildrenOfUnsampledDropped(false);
  sampler = new ParentBasedSampler({ root: new AlwaysOnSampler() });
});

/** A request whose caller said "not sampled" (traceparent flags 00): its server span is dropped. */
function underUnsampledRequest<T>(fn: (server: Span) => Promise<T>): Promise<T> {
  const remote = trace.setSpanContext(ROOT_CONTEXT, {
    traceId: '0af7651916cd43dd8448eb211c80319c',
    spanId: 'b7ad6b7169203331',
    traceFlags: TraceFlags.NONE,
    isRemote: true,
  });
  const server = trace.getTracer('test').startSpan('GET /api/products', {}, remote);
  return context.with(trace.setSpan(remote, server), () => fn(server));
}

describe('spans under a parent the sampler dropped', () => {
  it('are not started: the work runs under the parent, whose trace id and unsampled flag go downstream', async () => {
    setChildrenOfUnsampledDropped(true);
    await underUnsampledRequest(async (server) => {
      expect(server.isRecording()).toBe(false);
      expect(droppedParent()).toBe(server);
      const seen = await withSpan('list_products', {}, async (span) => {
        expect(trace.getActiveSpan()).toBe(server);
        return span;
      });
      expect(seen).toBe(server);
      expect(seen.spanContext().traceId).toBe('0af7651916cd43dd8448eb211c80319c');
      expect(seen.spanContext().traceFlags & TraceFlags.SAMPLED).toBe(0);
    });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('still fail as the work fails: a throw, synchronous or not, reaches the caller', async () => {
    setChildrenOfUnsampledDropped(true);
    await underUnsampledRequest(async () => {
      await expect(withSpan('charge_payment', {}, async () => Promise.reject(new Error('declined')))).rejects.toThrow('declined');
      const throwsAtOnce = (() => {
        throw new Error('at once');
      }) as unknown as () => Promise<never>;
      await expect(withSpan('charge_payment', {}, throwsAtOnce)).rejects.toThrow('at once');
    });
  });

  it('are started under a sampled parent, and recorded', async () => {
    setChildrenOfUnsampledDropped(true);
    await withSpan('process_order', {}, async (parent) => {
      expect(parent.isRecording()).toBe(true);
      expect(droppedParent()).toBeUndefined();
      await withSpan('validate_inventory', {}, async (child) => {
        expect(child.spanContext().spanId).not.toBe(parent.spanContext().spanId);
      });
    });
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['validate_inventory', 'process_order']);
  });

  it('are started and sampled as the SDK does when the sampler may keep them (always_on samples every span)', async () => {
    sampler = new AlwaysOnSampler();
    setChildrenOfUnsampledDropped(dropsChildrenOfUnsampled({ OTEL_TRACES_SAMPLER: 'always_on' }));
    const remote = trace.setSpanContext(ROOT_CONTEXT, { traceId: '1'.repeat(32), spanId: '2'.repeat(16), traceFlags: TraceFlags.NONE });
    // A non-recording local parent (the no-op span the API makes from a span context).
    await context.with(trace.setSpan(remote, trace.wrapSpanContext({ ...trace.getSpanContext(remote)!, isRemote: false })), () =>
      withSpan('list_products', {}, async () => undefined),
    );
    expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(['list_products']);
  });
});

describe('which samplers drop every child of a span they did not sample (OTEL_TRACES_SAMPLER)', () => {
  it.each([
    ['parentbased_always_on', true],
    ['parentbased_always_off', true],
    ['parentbased_traceidratio', true],
    ['traceidratio', true],
    ['always_off', true],
    ['', true],
    [undefined, true],
    ['always_on', false],
    ['parentbased_jaeger_remote', false],
    ['xray', false],
  ])('%s → %s', (name, drops) => {
    expect(dropsChildrenOfUnsampled({ OTEL_TRACES_SAMPLER: name })).toBe(drops);
  });
});
