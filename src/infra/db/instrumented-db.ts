import type { Sql, TransactionSql } from 'postgres';
import { recordError, SpanKind, tracer, type SpanOptions } from '../../telemetry/tracing.ts';
import { shopMetrics } from '../../telemetry/shop-metrics.ts';
import { registerDbPoolMetrics } from '../../telemetry/db-pool-metrics.ts';
import {
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '../../telemetry/attributes.ts';
import type { Logger } from '../logger.ts';
import { describeStatement, truncateStatement, type StatementInfo } from './query-text.ts';

/** A tagged template that runs one statement and resolves to its rows. */
export type QueryTag = <T extends object = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;

export interface InstrumentedDbOptions {
  database: string;
  poolName: string;
  host: string;
  port: number;
  poolMax: number;
  slowQueryMs: number;
  logger: Logger;
}

/**
 * postgres.js with telemetry: a DB-semconv client span and a `db.client.operation.duration` sample
 * per statement, a slow-query warning, and pool metrics. postgres.js has no usable instrumentation,
 * hence this thin wrapper; statements are described from the template's literal parts only.
 */
export class InstrumentedDb {
  private inFlight = 0;
  private readonly baseAttributes: Record<string, string | number>;

  readonly sql: Sql;
  private readonly options: InstrumentedDbOptions;

  constructor(sql: Sql, options: InstrumentedDbOptions) {
    this.sql = sql;
    this.options = options;
    this.baseAttributes = {
      [ATTR_DB_SYSTEM_NAME]: 'postgresql',
      [ATTR_DB_NAMESPACE]: options.database,
      [ATTR_SERVER_ADDRESS]: options.host,
      [ATTR_SERVER_PORT]: options.port,
    };
    registerDbPoolMetrics(options.poolName, options.poolMax, () => this.inFlight);
  }

  /** Runs one statement outside any transaction. */
  readonly query: QueryTag = (strings, ...values) => this.holdConnection(() => this.run(this.sql, strings, values));

  /** Runs `fn` in a transaction; its statements are traced as children of one `BEGIN` span. */
  transaction<T>(fn: (query: QueryTag) => Promise<T>): Promise<T> {
    return this.holdConnection(() =>
      this.traced({ text: 'BEGIN', operation: 'BEGIN', summary: 'BEGIN' }, async () => {
        const result = await this.sql.begin((tx) => fn((strings, ...values) => this.run(tx, strings, values)));
        return result as T;
      }),
    );
  }

  /** Closes the pool, letting running statements finish within `timeoutSeconds`. */
  end(timeoutSeconds = 5): Promise<void> {
    return this.sql.end({ timeout: timeoutSeconds });
  }

  private async holdConnection<T>(fn: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await fn();
    } finally {
      this.inFlight--;
    }
  }

  private run<T extends object>(client: Sql | TransactionSql, strings: TemplateStringsArray, values: unknown[]): Promise<T[]> {
    const info = describeStatement(strings);
    return this.traced(info, async () => (await client(strings, ...(values as never[]))) as unknown as T[]);
  }

  private traced<T>(info: StatementInfo, fn: () => Promise<T>): Promise<T> {
    const attributes = {
      ...this.baseAttributes,
      [ATTR_DB_OPERATION_NAME]: info.operation,
      [ATTR_DB_QUERY_SUMMARY]: info.summary,
      [ATTR_DB_QUERY_TEXT]: info.text,
    };
    const spanOptions: SpanOptions = { kind: SpanKind.CLIENT, attributes };
    return tracer.startActiveSpan(info.summary, spanOptions, async (span) => {
      const started = performance.now();
      let errorType: string | undefined;
      try {
        return await fn();
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (typeof code === 'string') span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, code);
        recordError(span, error);
        errorType = typeof code === 'string' ? code : (error as Error).name;
        throw error;
      } finally {
        const seconds = (performance.now() - started) / 1000;
        span.end();
        this.recordDuration(info, seconds, errorType);
      }
    });
  }

  private recordDuration(info: StatementInfo, seconds: number, errorType: string | undefined): void {
    shopMetrics().dbOperationDuration.record(seconds, {
      [ATTR_DB_SYSTEM_NAME]: 'postgresql',
      [ATTR_DB_NAMESPACE]: this.options.database,
      [ATTR_DB_OPERATION_NAME]: info.operation,
      ...(errorType ? { [ATTR_ERROR_TYPE]: errorType } : {}),
    });
    const ms = seconds * 1000;
    if (ms > this.options.slowQueryMs) {
      this.options.logger.warn(
        {
          db_operation: info.operation,
          duration_ms: Math.round(ms),
          threshold_ms: this.options.slowQueryMs,
          statement: truncateStatement(info.text),
        },
        'slow_query',
      );
    }
  }
}
