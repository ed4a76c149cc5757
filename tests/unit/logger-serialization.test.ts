import { logs, type Logger as OtelLogger, type LogRecord } from '@opentelemetry/api';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/infra/logger.ts';
import { JsonLines } from '../helpers/json-lines.ts';

/** Keeps what the logger hands to the Logs API: the attributes the OTLP record would carry. */
function recordLogs(): LogRecord[] {
  const records: LogRecord[] = [];
  const logger: OtelLogger = { emit: (record) => void records.push(record), enabled: () => true };
  logs.setGlobalLoggerProvider({ getLogger: () => logger });
  return records;
}

afterEach(() => logs.disable());

describe('the logger with values JSON.stringify cannot handle', () => {
  it('logs a BigInt (top level and nested) and a circular object instead of throwing from logger.info', () => {
    const records = recordLogs();
    const lines = new JsonLines();
    const logger = createLogger('test', 'info', lines);
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    expect(() => logger.info({ amount: 12n, nested: { huge: 2n ** 70n }, circular }, 'odd_values')).not.toThrow();
    expect(lines.lines[0]).toMatchObject({ message: 'odd_values', amount: 12 });
    const attributes = records.find((r) => r.body === 'odd_values')?.attributes;
    // As the JSON line reads: a safe integer stays a number, a larger one becomes its decimal string.
    expect(attributes?.amount).toBe(12);
    expect(attributes?.nested).toEqual({ huge: (2n ** 70n).toString() });
    expect((attributes?.circular as Record<string, unknown>).name).toBe('loop');
  });
});
