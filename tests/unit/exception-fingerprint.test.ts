import { InMemoryLogRecordExporter, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CatalogueMappingError } from '../../src/http/exception-fault.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { startTelemetry } from '../../src/instrumentation/sdk.ts';
import { crashListener } from '../../src/services/process-errors.ts';
import {
  exceptionAttributes,
  exceptionFingerprint,
  exceptionType,
  MAX_FINGERPRINTS,
  normaliseFrame,
  resetFingerprintGuard,
  topFrames,
} from '../../src/telemetry/exceptions.ts';
import { JsonLines } from '../helpers/json-lines.ts';

const spans = new InMemorySpanExporter();
const spanProcessor = new SimpleSpanProcessor({ exporter: spans });
const records = new InMemoryLogRecordExporter();
const logProcessor = new SimpleLogRecordProcessor({ exporter: records });
let shutdown: () => Promise<void>;

beforeAll(() => {
  shutdown = startTelemetry({
    serviceName: 'fingerprint-spec',
    spanProcessors: [spanProcessor],
    logRecordProcessors: [logProcessor],
    metricReaders: [],
  });
});
afterAll(async () => shutdown());
beforeEach(() => {
  spans.reset();
  records.reset();
  resetFingerprintGuard();
});

/** Two throw sites: the fingerprint tells them apart, whatever the message. */
const fromMapping = (message: string) => new CatalogueMappingError(message);
const fromElsewhere = (message: string) => new CatalogueMappingError(message);

/** The exception attributes recorded for `error` (its log record's, and the compatibility span event's). */
const exceptionEvent = (error: Error) => Promise.resolve(exceptionAttributes(error));

describe('exception attributes carry a stable fingerprint', () => {
  it('has type, message, stack and a 16-hex fingerprint', async () => {
    const attributes = await exceptionEvent(fromMapping('row 1 has no price'));
    expect(attributes).toMatchObject({ 'exception.type': 'CatalogueMappingError', 'exception.message': 'row 1 has no price' });
    expect(String(attributes['exception.stacktrace'])).toContain('CatalogueMappingError: row 1 has no price');
    expect(attributes['exception.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
  });

  it('is the same for the same type thrown from the same place, whatever the message', async () => {
    const [one, two] = ['row 1 has no price', 'row 2 of tenant globex has no price'].map(fromMapping);
    const first = await exceptionEvent(one!);
    const second = await exceptionEvent(two!);
    expect(second['exception.fingerprint']).toBe(first['exception.fingerprint']);
  });

  it('differs for another throw site and for another type', async () => {
    const [mapped, other] = [fromMapping('x'), fromElsewhere('x')];
    const here = await exceptionEvent(mapped);
    const elsewhere = await exceptionEvent(other);
    expect(elsewhere['exception.fingerprint']).not.toBe(here['exception.fingerprint']);
    // Same stack, another type.
    expect(exceptionFingerprint('TypeError', mapped.stack)).not.toBe(here['exception.fingerprint']);
    expect(exceptionFingerprint('CatalogueMappingError', mapped.stack)).toBe(here['exception.fingerprint']);
  });

  it('ignores line and column numbers and the install directory (stable across releases and hosts)', () => {
    const stack = (root: string, line: number) =>
      [
        'CatalogueMappingError: row 1',
        `    at Object.middleware (${root}/src/http/exception-fault.ts:${line}:27)`,
        `    at async dispatch (file://${root}/node_modules/hono/dist/compose.js?v=${line}:${line + 10}:17)`,
        `    at ${root}/src/http/middleware/server-span.ts:${line}:5`,
        '    at process.processTicksAndRejections (node:internal/process/task_queues:105:5)',
      ].join('\n');
    expect(topFrames(stack('/app', 38), 5, '/app')).toEqual([
      'Object.middleware (src/http/exception-fault.ts)',
      'async dispatch (node_modules/hono/dist/compose.js)',
      'src/http/middleware/server-span.ts',
    ]);
    const compose = exceptionFingerprint('CatalogueMappingError', stack('/app', 38), '/app');
    const native = exceptionFingerprint('CatalogueMappingError', stack('/work/main', 52), '/work/main');
    expect(native).toBe(compose);
    expect(normaliseFrame('    at new Foo (/srv/x/node_modules/pkg/index.js:1:2)', '/app')).toBe('new Foo (node_modules/pkg/index.js)');
  });

  it('uses only the top frames: a different caller further down keeps the fingerprint', () => {
    const frames = Array.from({ length: 5 }, (_, i) => `    at f${i} (/app/src/x.ts:${i}:1)`);
    const a = ['E: m', ...frames, '    at callerA (/app/src/a.ts:1:1)'].join('\n');
    const b = ['E: m', ...frames, '    at callerB (/app/src/b.ts:1:1)'].join('\n');
    expect(exceptionFingerprint('E', a, '/app')).toBe(exceptionFingerprint('E', b, '/app'));
  });
});

describe('cardinality guard', () => {
  it('reports a type that does not look like a class or a code as Error', () => {
    expect(exceptionType({ name: 'CatalogueMappingError' })).toBe('CatalogueMappingError');
    expect(exceptionType({ name: 'ERR_INVALID_URL' })).toBe('ERR_INVALID_URL');
    expect(exceptionType({ name: 'Error for user ann@example.com' })).toBe('Error');
    expect(exceptionType({ name: 'X'.repeat(200) })).toBe('Error');
    expect(exceptionType({})).toBe('Error');
  });

  it(`reports at most ${MAX_FINGERPRINTS} distinct fingerprints per process, later ones as overflow`, () => {
    const fingerprints = new Set<string>();
    for (let i = 0; i < MAX_FINGERPRINTS + 50; i++) fingerprints.add(exceptionFingerprint(`Type${i}`, undefined));
    expect(fingerprints.size).toBe(MAX_FINGERPRINTS + 1);
    expect(fingerprints).toContain('overflow');
    // Known ones keep theirs.
    expect(exceptionFingerprint('Type0', undefined)).not.toBe('overflow');
  });
});

describe('error log records', () => {
  it('carry the exception.type and exception.fingerprint of exceptionAttributes, and no second exception_type', async () => {
    const error = fromMapping('row 7 has no price');
    const event = await exceptionEvent(error);
    const lines = new JsonLines();
    const logger = createLogger('spec', 'info', lines);
    logger.error({ err: error, exception_type: error.name }, 'unhandled_exception');
    await logProcessor.forceFlush();
    const record = records.getFinishedLogRecords().at(-1)!;
    expect(record.attributes).toMatchObject({
      'exception.type': 'CatalogueMappingError',
      'exception.message': 'row 7 has no price',
      'exception.fingerprint': event['exception.fingerprint'],
    });
    expect(record.attributes).not.toHaveProperty('exception_type');
    // stdout keeps the line's own field.
    expect(lines.lines.at(-1)).toMatchObject({ message: 'unhandled_exception', exception_type: 'CatalogueMappingError' });
  });
});

describe('the global crash handler (src/services/process-errors.ts)', () => {
  it('logs uncaught_exception at fatal with the exception, then flushes and exits 1, once', async () => {
    const lines = new JsonLines();
    const logger = createLogger('spec', 'info', lines);
    const exits: number[] = [];
    let forced = 0;
    const listener = crashListener(
      logger,
      async (code) => exits.push(code),
      () => forced++,
    );
    listener(new RangeError('offset out of range'), 'unhandledRejection');
    listener('a string thrown', 'uncaughtException');
    await logProcessor.forceFlush();
    expect(lines.lines.map((l) => [l.level, l.message, l.origin, l.exception_type])).toEqual([
      ['fatal', 'uncaught_exception', 'unhandledRejection', 'RangeError'],
      ['fatal', 'uncaught_exception', 'uncaughtException', 'Error'],
    ]);
    expect(exits).toEqual([1]);
    expect(forced).toBe(0);
    const record = records.getFinishedLogRecords().find((r) => r.attributes.origin === 'unhandledRejection')!;
    expect(record.severityText).toBe('fatal');
    expect(record.attributes).toMatchObject({ 'exception.type': 'RangeError', 'exception.message': 'offset out of range' });
    expect(record.attributes['exception.fingerprint']).toMatch(/^[0-9a-f]{16}$/);
  });
});
