import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor, TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConflictError } from '../../src/domain/errors.ts';
import { startTelemetry } from '../../src/instrumentation/sdk.ts';
import {
  EXCEPTION_SIGNAL_ENV,
  exceptionSpanEvents,
  setExceptionSpanEvents,
  wantsExceptionSpanEvents,
} from '../../src/telemetry/exception-signal.ts';
import { markFailed, recordOutcome } from '../../src/telemetry/tracing.ts';

/**
 * Exceptions are log records (semconv deprecated exceptions on spans): a failed span gets status
 * ERROR and error.type, and an `exception` span event only behind the compatibility switch.
 */
async function ended(record: (span: ReturnType<ReturnType<TracerProvider['getTracer']>['startSpan']>) => void): Promise<ReadableSpan> {
  const exporter = new InMemorySpanExporter();
  const processor = new SimpleSpanProcessor({ exporter });
  const provider = new TracerProvider({ spanProcessors: [processor] });
  const span = provider.getTracer('test').startSpan('query');
  record(span);
  span.end();
  await processor.forceFlush();
  return exporter.getFinishedSpans()[0]!;
}

/** What a driver error looks like: the request it failed on rides along as enumerable fields. */
const driverError = () =>
  Object.assign(new Error('connect failed'), {
    code: 'ECONNREFUSED',
    config: { user: 'shop', password: 'pw-event-1' },
    token: 'tok-event-2',
    headers: { authorization: 'Bearer event-3' },
  });

afterEach(() => {
  vi.unstubAllEnvs();
  setExceptionSpanEvents(false);
});

describe('a failed span', () => {
  it('gets status ERROR and error.type, and no exception event by default', async () => {
    const span = await ended((s) => markFailed(s, driverError()));
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.events).toEqual([]);
  });

  it(`gets the exception event back with ${EXCEPTION_SIGNAL_ENV}=logs/dup: type, message, stack, none of the error's fields`, async () => {
    setExceptionSpanEvents(true);
    const span = await ended((s) => markFailed(s, driverError()));
    const event = span.events.find((e) => e.name === 'exception');
    expect(event?.attributes).toMatchObject({ 'exception.type': 'Error', 'exception.message': 'connect failed' });
    expect(String(event?.attributes?.['exception.stacktrace'])).toContain('Error: connect failed');
    expect(event?.attributes?.['exception.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
    expect(JSON.stringify(span.events) + JSON.stringify(span.attributes)).not.toMatch(/pw-event-1|tok-event-2|event-3/);
  });
});

describe('an expected outcome', () => {
  it('leaves the span UNSET, without error.type or an event, even with the switch on', async () => {
    setExceptionSpanEvents(true);
    const span = await ended((s) => recordOutcome(s, new ConflictError('email_taken', 'a user with this email already exists')));
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    expect(span.attributes).not.toHaveProperty(['error.type']);
    expect(span.events).toEqual([]);
  });
});

describe(`${EXCEPTION_SIGNAL_ENV}`, () => {
  it('asks for span events only with logs/dup (semconv tokens, comma-separated); unset and logs mean log records only', () => {
    expect(wantsExceptionSpanEvents(undefined)).toBe(false);
    expect(wantsExceptionSpanEvents('')).toBe(false);
    expect(wantsExceptionSpanEvents('logs')).toBe(false);
    expect(wantsExceptionSpanEvents('logs/dup')).toBe(true);
    expect(wantsExceptionSpanEvents('http, logs/dup')).toBe(true);
  });

  it('is read by startTelemetry: off by default, on with logs/dup', async () => {
    vi.stubEnv('OTEL_SDK_DISABLED', 'true');
    vi.stubEnv(EXCEPTION_SIGNAL_ENV, 'logs/dup');
    await startTelemetry()();
    expect(exceptionSpanEvents()).toBe(true);
    vi.stubEnv(EXCEPTION_SIGNAL_ENV, undefined);
    await startTelemetry()();
    expect(exceptionSpanEvents()).toBe(false);
  });
});
