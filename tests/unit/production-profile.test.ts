import { randomBytes } from 'node:crypto';
import { ROOT_CONTEXT, SamplingDecision, trace, TraceFlags } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { applyProfileDefaults } from '../../src/config/profile.ts';
import { loadApiConfig } from '../../src/config/service-config.ts';
import { logsRequest } from '../../src/http/middleware/request-context.ts';
import { applyOtelDefaults } from '../../src/instrumentation/otel-defaults.ts';
import { ConsistentRatioSampler, samplerFromEnv } from '../../src/instrumentation/sampler.ts';

const traceId = () => randomBytes(16).toString('hex');

describe('OTELKIT_PROFILE', () => {
  it('demo (the default) keeps every trace and logs every request', () => {
    const env: NodeJS.ProcessEnv = {};
    applyOtelDefaults(env);
    expect(env).toMatchObject({ OTEL_TRACES_SAMPLER: 'parentbased_always_on', REQUEST_LOG: 'all' });
    expect(loadApiConfig({})).toMatchObject({ OTELKIT_PROFILE: 'demo', REQUEST_LOG: 'all', REQUEST_LOG_SLOW_MS: 500 });
  });

  it('production samples 10% parent-based and logs only failed or slow requests', () => {
    const env: NodeJS.ProcessEnv = { OTELKIT_PROFILE: 'production' };
    applyOtelDefaults(env);
    expect(env).toMatchObject({
      OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
      OTEL_TRACES_SAMPLER_ARG: '0.1',
      REQUEST_LOG: 'errors-and-slow',
    });
    expect(loadApiConfig({ OTELKIT_PROFILE: 'production' }).REQUEST_LOG).toBe('errors-and-slow');
  });

  it('each choice can be overridden alone; empty (compose for unset) takes the profile value', () => {
    const env = applyProfileDefaults({ OTELKIT_PROFILE: 'production', OTEL_TRACES_SAMPLER_ARG: '0.25', REQUEST_LOG: '' });
    expect(env).toMatchObject({ OTEL_TRACES_SAMPLER_ARG: '0.25', REQUEST_LOG: 'errors-and-slow' });
    expect(loadApiConfig({ OTELKIT_PROFILE: 'production', REQUEST_LOG: 'all' }).REQUEST_LOG).toBe('all');
  });

  it('an unknown profile is a configuration error naming the variable', () => {
    expect(() => loadApiConfig({ OTELKIT_PROFILE: 'prod' })).toThrow(/OTELKIT_PROFILE/);
  });
});

describe('request_completed under REQUEST_LOG', () => {
  const errorsAndSlow = { mode: 'errors-and-slow' as const, slowMs: 500 };
  it('errors-and-slow logs 5xx and slow requests only; all logs every one', () => {
    expect([200, 404, 429, 500, 503].map((status) => logsRequest(errorsAndSlow, status, 3))).toEqual([false, false, false, true, true]);
    expect(logsRequest(errorsAndSlow, 200, 500)).toBe(true);
    expect(logsRequest({ mode: 'all', slowMs: 500 }, 200, 1)).toBe(true);
  });
});

describe('head sampling: consistent trace-id ratio with the probability in tracestate', () => {
  it('writes ot=th:<threshold> on kept spans (10% → e666…, 25% → c, 1% → fd70a3d70a3d71)', () => {
    for (const [ratio, th] of [
      [0.1, 'e6666666666666'],
      [0.25, 'c'],
      [0.01, 'fd70a3d70a3d71'],
    ] as const) {
      const sampler = new ConsistentRatioSampler(ratio);
      // randomness ff…: kept at any ratio > 0
      const result = sampler.shouldSample(ROOT_CONTEXT, '0000000000000000' + '00ffffffffffffff');
      expect(result.decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
      expect(result.traceState?.get('ot')).toBe(`th:${th}`);
    }
  });

  it('keeps a trace iff its last 56 bits are at least the threshold', () => {
    const sampler = new ConsistentRatioSampler(0.25);
    expect(sampler.shouldSample(ROOT_CONTEXT, 'ffffffffffffffffffbfffffffffffff').decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(ROOT_CONTEXT, '000000000000000000c0000000000000').decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('keeps about the configured share of random trace ids; 0 keeps none, 1 keeps all without tracestate', () => {
    const sampler = new ConsistentRatioSampler(0.1);
    let kept = 0;
    for (let i = 0; i < 20_000; i++)
      if (sampler.shouldSample(ROOT_CONTEXT, traceId()).decision === SamplingDecision.RECORD_AND_SAMPLED) kept++;
    expect(kept / 20_000).toBeGreaterThan(0.09);
    expect(kept / 20_000).toBeLessThan(0.11);
    expect(new ConsistentRatioSampler(0).shouldSample(ROOT_CONTEXT, 'f'.repeat(32)).decision).toBe(SamplingDecision.NOT_RECORD);
    const all = new ConsistentRatioSampler(1).shouldSample(ROOT_CONTEXT, '0'.repeat(31) + '1');
    expect(all).toEqual({ decision: SamplingDecision.RECORD_AND_SAMPLED });
  });

  it('parentbased_traceidratio follows the caller: a sampled-out parent drops the child whatever its trace id', () => {
    const sampler = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '1' })!;
    const id = 'f'.repeat(32);
    const parent = (flags: TraceFlags) =>
      trace.setSpanContext(ROOT_CONTEXT, { traceId: id, spanId: '1'.repeat(16), traceFlags: flags, isRemote: true });
    expect(sampler.shouldSample(parent(TraceFlags.NONE), id, 'x', 0, {}, []).decision).toBe(SamplingDecision.NOT_RECORD);
    expect(sampler.shouldSample(parent(TraceFlags.SAMPLED), id, 'x', 0, {}, []).decision).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' })).toBeUndefined();
  });
});
