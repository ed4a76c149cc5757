import { describe, expect, it } from 'vitest';
import { applyOtelDefaults, OTEL_DEFAULTS } from '../../src/instrumentation/otel-defaults.ts';

describe('OTEL_* defaults', () => {
  it('defaults to OTLP HTTP/protobuf on :4318 with a 10 s metric interval', () => {
    const env: NodeJS.ProcessEnv = {};
    applyOtelDefaults(env);
    expect(env).toMatchObject({
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318',
      OTEL_METRIC_EXPORT_INTERVAL: '10000',
    });
  });

  it('never overrides what the user set', () => {
    // Every value differs from our default, so a default written over it would show.
    const userSet = Object.fromEntries(Object.entries(OTEL_DEFAULTS).map(([name, value]) => [name, `user-${value}`]));
    const env: NodeJS.ProcessEnv = { ...userSet };
    applyOtelDefaults(env);
    // What the user set comes back unchanged (the profile's own settings, src/config/profile.ts, are
    // filled in beside them: unset here).
    expect(Object.fromEntries(Object.keys(userSet).map((name) => [name, env[name]]))).toEqual(userSet);
  });

  it('fills a variable set to the empty string, as the SDK reads it as unset', () => {
    const env: NodeJS.ProcessEnv = { OTEL_EXPORTER_OTLP_PROTOCOL: '' };
    applyOtelDefaults(env);
    expect(env.OTEL_EXPORTER_OTLP_PROTOCOL).toBe(OTEL_DEFAULTS.OTEL_EXPORTER_OTLP_PROTOCOL);
  });
});
