import { createTraceState, diag } from '@opentelemetry/api';
import { ParentBasedSampler, SamplingDecision, type Sampler, type SamplingResult } from '@opentelemetry/sdk-trace';

/**
 * Head sampling by trace-id ratio that also says, on each kept span, with which probability it was
 * kept: OpenTelemetry's consistent probability sampling (the `th` threshold in the `ot` entry of
 * W3C tracestate). The SDK's own TraceIdRatioBasedSampler writes nothing into tracestate, so the
 * Collector's span_metrics connector (0.157) would count each kept span once and every span metric
 * panel would show 10% of the traffic; with `ot=th:…` it counts each kept span as 1/p spans
 * (its "adjusted count", stochastically rounded), so span metrics estimate the real rate.
 *
 * Decision: the trace id's last 56 bits are its randomness R (W3C trace context level 2); a trace is
 * kept when R ≥ T, T = (1 − p) × 2^56. Every service taking the same decision from the same trace id
 * is what keeps a trace whole even without the parent's flag; parent-based sampling (below) follows
 * the caller's flag anyway, and the child spans inherit the parent's tracestate (the SDK's tracer).
 */
const TWO_28 = 2 ** 28;

export class ConsistentRatioSampler implements Sampler {
  /** T split into two 28-bit halves: 56 bits do not fit a double exactly, two halves do. */
  private readonly high: number;
  private readonly low: number;
  private readonly traceState: ReturnType<typeof createTraceState> | undefined;
  readonly ratio: number;

  constructor(ratio: number) {
    this.ratio = Number.isFinite(ratio) ? Math.min(1, Math.max(0, ratio)) : 0;
    // Rounded to 2^-56: T = 2^56 − round(p × 2^56).
    const kept = Math.round(this.ratio * TWO_28 * TWO_28);
    const threshold = BigInt(TWO_28) * BigInt(TWO_28) - BigInt(kept);
    this.high = Number(threshold >> 28n);
    this.low = Number(threshold & BigInt(TWO_28 - 1));
    // th: T in 14 hex digits, trailing zeros dropped (`th:0` would mean "kept everything"; at
    // p = 1 nothing is written, as with the always-on sampler).
    const th = threshold.toString(16).padStart(14, '0').replace(/0+$/, '');
    this.traceState = this.ratio > 0 && this.ratio < 1 ? createTraceState(`ot=th:${th}`) : undefined;
  }

  shouldSample(_context: unknown, traceId: string): SamplingResult {
    if (this.ratio <= 0 || traceId.length !== 32) return { decision: SamplingDecision.NOT_RECORD };
    if (this.ratio < 1) {
      const high = Number.parseInt(traceId.slice(18, 25), 16);
      const low = Number.parseInt(traceId.slice(25, 32), 16);
      if (high < this.high || (high === this.high && low < this.low)) return { decision: SamplingDecision.NOT_RECORD };
    }
    return this.traceState
      ? { decision: SamplingDecision.RECORD_AND_SAMPLED, traceState: this.traceState }
      : { decision: SamplingDecision.RECORD_AND_SAMPLED };
  }

  toString(): string {
    return `ConsistentRatio{${this.ratio}}`;
  }
}

/**
 * The sampler for OTEL_TRACES_SAMPLER=parentbased_traceidratio / traceidratio (same variables, same
 * meaning: OTEL_TRACES_SAMPLER_ARG is the share of traces kept, default 1), decided as above; for
 * every other value the SDK's own sampler from the environment (undefined here).
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv): Sampler | undefined {
  const name = env.OTEL_TRACES_SAMPLER;
  if (name !== 'parentbased_traceidratio' && name !== 'traceidratio') return undefined;
  const raw = env.OTEL_TRACES_SAMPLER_ARG;
  let ratio = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    diag.error(`OTEL_TRACES_SAMPLER_ARG=${raw} is not a ratio in [0, 1]; keeping every trace`);
    ratio = 1;
  }
  const root = new ConsistentRatioSampler(ratio);
  if (name === 'traceidratio') return root;
  return new ParentBasedSampler({ root });
}

/**
 * Whether the sampler OTEL_TRACES_SAMPLER names drops every child of a local span it did not sample:
 * the parent-based ones (a local unsampled parent means "off"), always_off, and the trace-id ratio
 * above (the child's trace id is the parent's: same decision). Not always_on (it samples every span
 * whatever the parent), nor one this code does not know (jaeger_remote, a custom one): for those,
 * children are started and the sampler asked, as the SDK does.
 */
const DROPS_CHILDREN_OF_UNSAMPLED = new Set([
  'parentbased_always_on',
  'parentbased_always_off',
  'parentbased_traceidratio',
  'always_off',
  'traceidratio',
]);
export function dropsChildrenOfUnsampled(env: NodeJS.ProcessEnv): boolean {
  return DROPS_CHILDREN_OF_UNSAMPLED.has(env.OTEL_TRACES_SAMPLER || 'parentbased_always_on');
}
