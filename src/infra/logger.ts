import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from '../telemetry/log-context.ts';
import { redactDeep } from './redact.ts';

/**
 * The process logger: JSON lines on stdout and, through the pino instrumentation, the same records as
 * OTLP log records with trace_id/span_id. Redaction happens in `formatters.log`, i.e. before the
 * line is serialized, so neither stdout nor the exported record ever holds a secret.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...currentLogContext() }),
    formatters: {
      level: (label) => ({ level: label }),
      log: (object) => redactDeep(object) as Record<string, unknown>,
    },
    serializers: { err: pino.stdSerializers.err },
  };
  // Tests pass a destination to read the JSON lines; services write to stdout.
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
