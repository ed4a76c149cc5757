/**
 * Open-model arrivals: request start times follow the target rate, whatever the server does, so a
 * slow server shows up as latency instead of silently lowering the offered load (the coordinated
 * omission of closed-loop tools). With a ramp the rate grows linearly from `fromRate` to `rate`
 * over `rampSeconds`, then stays at `rate`.
 */
export interface ArrivalPlan {
  rate: number;
  fromRate: number;
  rampSeconds: number;
  durationSeconds: number;
}

/** The offered rate (requests/s) at `t` seconds. */
export function rateAt(plan: ArrivalPlan, t: number): number {
  if (plan.rampSeconds <= 0 || t >= plan.rampSeconds) return plan.rate;
  return plan.fromRate + ((plan.rate - plan.fromRate) * t) / plan.rampSeconds;
}

/** Arrivals expected by `t` seconds: the integral of the rate. */
export function arrivalsBy(plan: ArrivalPlan, t: number): number {
  const ramp = Math.min(t, Math.max(0, plan.rampSeconds));
  const rampArea = plan.rampSeconds > 0 ? plan.fromRate * ramp + ((plan.rate - plan.fromRate) * ramp * ramp) / (2 * plan.rampSeconds) : 0;
  return rampArea + plan.rate * Math.max(0, t - ramp);
}

/** The time (seconds) of the k-th arrival (k = 1, 2, …), or undefined past the duration. */
export function arrivalTime(plan: ArrivalPlan, k: number): number | undefined {
  const rampEnd = Math.max(0, plan.rampSeconds);
  const rampTotal = arrivalsBy(plan, rampEnd);
  let t: number;
  if (k <= rampTotal && rampEnd > 0) {
    // Solve fromRate·t + (rate − fromRate)·t²/(2·ramp) = k for t.
    const a = (plan.rate - plan.fromRate) / (2 * rampEnd);
    const b = plan.fromRate;
    t = Math.abs(a) < 1e-12 ? k / b : (-b + Math.sqrt(b * b + 4 * a * k)) / (2 * a);
  } else {
    if (plan.rate <= 0) return undefined;
    t = rampEnd + (k - rampTotal) / plan.rate;
  }
  return t <= plan.durationSeconds ? t : undefined;
}
