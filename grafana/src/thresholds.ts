/**
 * Thresholds that dashboards share with the alert rules in prometheus/rules. A panel turns red at
 * exactly the value where an alert starts its `for:` timer, so "red on the dashboard" and
 * "alert pending" mean the same thing.
 */
import { ThresholdsConfigBuilder, ThresholdsMode } from '@grafana/grafana-foundation-sdk/dashboard';

/** HighErrorRate: 5xx responses / all responses > 5% (prometheus/rules/alerts-http.yml). */
export const ERROR_RATIO_ALERT = 0.05;
/** HighLatencyP95: p95 of http.server.request.duration > 1s (prometheus/rules/alerts-http.yml). */
export const P95_LATENCY_ALERT_SECONDS = 1;
/** NewExceptionType: a new exception type in the api above this many per second (prometheus/rules/alerts-exceptions.yml). */
export const NEW_EXCEPTION_RATE_ALERT = 0.1;
/** Database pool saturation: connections in use / pool maximum > 90%. */
export const DB_POOL_USAGE_ALERT = 0.9;

/** Green below `alert`, amber from `warn` (if given), red from `alert`. */
export const alertThresholds = (alert: number, warn?: number): ThresholdsConfigBuilder =>
  new ThresholdsConfigBuilder()
    .mode(ThresholdsMode.Absolute)
    .steps([
      { value: null, color: 'green' },
      ...(warn === undefined ? [] : [{ value: warn, color: 'orange' }]),
      { value: alert, color: 'red' },
    ]);

/** A single colour for panels that have no "bad" value (rates, counts, money). */
export const neutralThresholds = (): ThresholdsConfigBuilder =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([{ value: null, color: 'blue' }]);

/** Red below 1, green at 1: for `up` and other 0/1 health series. */
export const upThresholds = (): ThresholdsConfigBuilder =>
  new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps([
    { value: null, color: 'red' },
    { value: 1, color: 'green' },
  ]);

/**
 * What span-derived panels show under the production profile (OTELKIT_PROFILE=production: 10% of
 * traces kept at the head, src/config/profile.ts). Said on each such panel, so nobody reads a
 * sampled figure as a count (docs/telemetry.md, "Sampling").
 */
export const UNDER_SAMPLING = {
  weighted:
    ' Production profile (head sampling): estimated from the kept spans, each counted 1/p times (its tracestate ot=th), so the rate does not shrink with the sample rate but is an estimate, not an exact count; exemplars come from kept traces only.',
  unweighted:
    ' Production profile (head sampling): counts only the kept spans (the servicegraph connector reads no sampling probability), so it shows about 10% of the real rate. The http.server.request.duration panels are exact.',
  traces: ' Production profile (head sampling): only the kept traces (10%) are listed.',
};
