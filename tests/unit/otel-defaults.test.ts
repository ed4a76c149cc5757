import { describe, expect, it } from 'vitest';
import { applyOtelDefaults } from '../../src/instrumentation/otel-defaults.ts';

describe('OTEL_* defaults', () => {
  it('defaults to OTLP HTTP/protobuf on :4318 with a 10 s metric interval', () => {
    const env: NodeJS.ProcessEnv = {};
    applyOtelDefaults(env);
    expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://localhost:4318', OTEL_METRIC_EXPORT_INTERVAL: '10000' });
  });

  it('never overrides what the user set', () => {
    const env: NodeJS.ProcessEnv = { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_METRIC_EXPORT_INTERVAL: '15000' };
    applyOtelDefaults(env);
    expect(env).toMatchObject({ OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf', OTEL_METRIC_EXPORT_INTERVAL: '15000' });
  });
});
