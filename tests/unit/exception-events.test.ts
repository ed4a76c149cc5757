import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { recordError } from '../../src/telemetry/tracing.ts';

describe('span exception events', () => {
  it('carry the type, message and stack of an Error but none of its enumerable fields', async () => {
    const exporter = new InMemorySpanExporter();
    const processor = new SimpleSpanProcessor({ exporter });
    const provider = new TracerProvider({ spanProcessors: [processor] });
    const span = provider.getTracer('test').startSpan('query');
    // What a driver error looks like: the request it failed on rides along as enumerable fields.
    const error = Object.assign(new Error('connect failed'), {
      config: { user: 'shop', password: 'pw-event-1' },
      token: 'tok-event-2',
      headers: { authorization: 'Bearer event-3' },
    });
    recordError(span, error);
    span.end();
    await processor.forceFlush();

    const [finished] = exporter.getFinishedSpans();
    const event = finished!.events.find((e) => e.name === 'exception');
    expect(event?.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'connect failed' });
    expect(String(event?.attributes?.['exception.stacktrace'])).toContain('Error: connect failed');
    expect(JSON.stringify(finished!.events) + JSON.stringify(finished!.attributes)).not.toMatch(/pw-event-1|tok-event-2|event-3/);
  });
});
