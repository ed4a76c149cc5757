/**
 * Deployment profiles: one setting (OTELKIT_PROFILE) that picks the defaults of the settings that
 * trade telemetry detail for cost. Each default applies only where the variable is unset or empty
 * (compose passes an unset variable as empty), so every single setting can still be overridden.
 *
 * - `demo` (the default): every trace kept (the Collector may tail-sample), a log line per request.
 * - `production`: head sampling in the SDK, parent-based on a trace-id ratio of 10% (a trace is kept
 *   or dropped whole: payments and the worker follow the api's decision carried in `traceparent`),
 *   and `request_completed` only for failed (5xx) or slow requests. Every request still counts in
 *   the metrics (http.server.request.duration, the shop counters), which no sampling touches.
 *   Measured in docs/performance.md ("Two profiles side by side").
 */
export const PROFILES = ['demo', 'production'] as const;
export type Profile = (typeof PROFILES)[number];

export const REQUEST_LOG_MODES = ['all', 'errors-and-slow'] as const;
export type RequestLogMode = (typeof REQUEST_LOG_MODES)[number];

export const PROFILE_DEFAULTS: Readonly<Record<Profile, Readonly<Record<string, string>>>> = {
  demo: { OTEL_TRACES_SAMPLER: 'parentbased_always_on', REQUEST_LOG: 'all' },
  production: { OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1', REQUEST_LOG: 'errors-and-slow' },
};

/** The profile named by OTELKIT_PROFILE; unset or empty is `demo`, anything else unknown is undefined. */
export function profileOf(env: NodeJS.ProcessEnv): Profile | undefined {
  const name = env.OTELKIT_PROFILE;
  if (name === undefined || name === '') return 'demo';
  return (PROFILES as readonly string[]).includes(name) ? (name as Profile) : undefined;
}

/**
 * Fills the profile's defaults into `env` where unset or empty. An unknown profile fills nothing:
 * the service's config validation then names OTELKIT_PROFILE and exits.
 */
export function applyProfileDefaults(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const profile = profileOf(env);
  if (profile === undefined) return env;
  for (const [name, value] of Object.entries(PROFILE_DEFAULTS[profile])) {
    if (env[name] === undefined || env[name] === '') env[name] = value;
  }
  return env;
}
