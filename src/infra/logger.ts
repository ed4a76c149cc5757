import pino, { type DestinationStream, type Logger } from 'pino';
import { currentLogContext } from '../telemetry/log-context.ts';
import { emitLogRecord, traceFields } from '../telemetry/log-records.ts';
import { redactDeep } from './redact.ts';

/**
 * The process logger: JSON lines on stdout (with trace_id/span_id inside a span) and the same records
 * as OTLP log records. Redaction happens when pino merges the line's fields, i.e. before the line is
 * serialized and before the record is emitted, so neither stdout nor the exported record ever holds
 * a secret.
 */
export function createLogger(service: string, level: string, destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    messageKey: 'message',
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: () => ({ ...traceFields(), ...currentLogContext() }),
    // The merged fields (request context first, then the call's own) are what pino serializes and
    // what the OTLP record is built from: redacting them here covers both.
    mixinMergeStrategy: (mergeObject, mixinObject) => redactDeep(Object.assign(mixinObject, mergeObject)) as object,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: pino.stdSerializers.err },
  };
  // Tests pass a destination to read the JSON lines; services write to stdout.
  const stdout = destination ?? pino.destination(process.stdout.fd || 1);
  return pino(options, withLogRecords(stdout));
}

/** What pino sets on a destination that asks for metadata (`Symbol.for('pino.metadata')`). */
interface PinoMetadata {
  lastLevel: number;
  lastObj: Record<string, unknown>;
  lastMsg: string | undefined;
  lastLogger: Logger;
}

const bindingsCache = new WeakMap<Logger, Record<string, unknown>>();

/**
 * Writes each line to `destination` and emits it as an OTLP log record from the object pino already
 * holds (the metadata pino hands to streams that ask for it, as its multistream does): no second
 * parse of the JSON line, which is what instrumentation-pino's log sending does on every line.
 */
function withLogRecords(destination: DestinationStream): DestinationStream {
  const stream: DestinationStream & PinoMetadata & Record<symbol, unknown> = {
    [Symbol.for('pino.metadata')]: true,
    lastLevel: 0,
    lastObj: {},
    lastMsg: undefined,
    lastLogger: undefined as unknown as Logger,
    write(line: string) {
      destination.write(line);
      const logger = stream.lastLogger;
      let bindings = bindingsCache.get(logger);
      if (!bindings) bindingsCache.set(logger, (bindings = logger.bindings()));
      const err = stream.lastObj.err;
      emitLogRecord({
        level: stream.lastLevel,
        levelLabel: logger.levels.labels[stream.lastLevel] ?? String(stream.lastLevel),
        message: stream.lastMsg,
        fields: stream.lastObj,
        bindings,
        error: err === undefined ? undefined : (pino.stdSerializers.err(err as Error) as unknown as Record<string, unknown>),
      });
    },
  };
  const flushable = destination as DestinationStream & { flush?: (cb?: (error?: Error) => void) => void; flushSync?: () => void };
  if (flushable.flush) Object.assign(stream, { flush: flushable.flush.bind(flushable) });
  if (flushable.flushSync) Object.assign(stream, { flushSync: flushable.flushSync.bind(flushable) });
  return stream;
}

export type { Logger };
