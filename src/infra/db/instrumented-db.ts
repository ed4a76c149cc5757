import postgres, { type Sql, type TransactionSql } from 'postgres';
import {
  ATTR_DB_COLLECTION_NAME,
  ATTR_DB_NAMESPACE,
  ATTR_DB_OPERATION_NAME,
  ATTR_DB_QUERY_SUMMARY,
  ATTR_DB_QUERY_TEXT,
  ATTR_DB_RESPONSE_STATUS_CODE,
  ATTR_DB_SYSTEM_NAME,
  ATTR_ERROR_TYPE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  DB_SYSTEM_NAME_VALUE_POSTGRESQL,
} from '@opentelemetry/semantic-conventions';
import { registerDbPoolMetrics } from '../../telemetry/db-pool-metrics.ts';
import { shopMetrics } from '../../telemetry/shop-metrics.ts';
import { droppedParent, markFailed, SpanKind, tracer, withSpan, type Span, type SpanOptions } from '../../telemetry/tracing.ts';
import type { Logger } from '../logger.ts';
import type { PoolState } from './pool-state.ts';
import { asOutage } from './connection-errors.ts';
import { describeStatement, truncateStatement, type DeclaredStatement, type StatementInfo } from './query-text.ts';

/** A tagged template that runs one statement and resolves to its rows. */
export type QueryTag = <T extends object = Record<string, unknown>>(strings: TemplateStringsArray, ...values: unknown[]) => Promise<T[]>;
/** The call site declares what the statement does (query-text.ts), then writes it: db.query({ operation: 'SELECT', collection: 'users' })`SELECT …`. */
export type Query = (statement: DeclaredStatement) => QueryTag;

export interface InstrumentedDbOptions {
  database: string;
  poolName: string;
  host: string;
  port: number;
  poolMax: number;
  slowQueryMs: number;
  logger: Logger;
  /** The pool's real state; connectDb passes the one whose socket factory the pool uses. */
  pool: PoolState;
}

/**
 * postgres.js with telemetry: a DB-semconv client span and a `db.client.operation.duration` sample
 * per statement, a slow-query warning, and pool metrics. postgres.js has no usable instrumentation,
 * hence this thin wrapper; statements are described from the template's literal parts only.
 */
export class InstrumentedDb {
  private readonly baseAttributes: Record<string, string | number>;
  private readonly stopPoolMetrics: () => void;

  readonly sql: Sql;
  private readonly options: InstrumentedDbOptions;

  constructor(sql: Sql, options: InstrumentedDbOptions) {
    this.sql = sql;
    this.options = options;
    this.baseAttributes = {
      [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL,
      [ATTR_DB_NAMESPACE]: options.database,
      [ATTR_SERVER_ADDRESS]: options.host,
      [ATTR_SERVER_PORT]: options.port,
    };
    this.stopPoolMetrics = registerDbPoolMetrics(options.poolName, options.poolMax, () => options.pool.read());
  }

  /** Runs one statement outside any transaction. */
  readonly query: Query = (statement) => (strings, ...values) =>
    this.options.pool.hold(() => asOutage(() => this.run(this.sql, statement, strings, values)));

  /**
   * Runs `fn` in a transaction, traced as one INTERNAL `transaction` span whose children are the
   * statements' CLIENT spans. A CLIENT span must stand for one call to the database (semconv), which a
   * transaction is not: its span shows how long the connection and the row locks were held.
   */
  transaction<T>(fn: (query: Query) => Promise<T>): Promise<T> {
    const attributes = { [ATTR_DB_SYSTEM_NAME]: DB_SYSTEM_NAME_VALUE_POSTGRESQL, [ATTR_DB_NAMESPACE]: this.options.database };
    return this.options.pool.hold(() =>
      asOutage(() =>
        withSpan('transaction', { attributes }, async () => {
          const result = await this.sql.begin((tx) => fn((statement) => (strings, ...values) => this.run(tx, statement, strings, values)));
          return result as T;
        }),
      ),
    );
  }

  /** Closes the pool, letting running statements finish within `timeoutSeconds`. */
  async end(timeoutSeconds = 5): Promise<void> {
    this.stopPoolMetrics();
    await this.sql.end({ timeout: timeoutSeconds });
  }

  private run<T extends object>(
    client: Sql | TransactionSql,
    statement: DeclaredStatement,
    strings: TemplateStringsArray,
    values: unknown[],
  ): Promise<T[]> {
    const info = describeStatement(statement, strings);
    return this.traced(info, async () => (await client(strings, ...(values as never[]))) as unknown as T[]);
  }

  private traced<T>(info: StatementInfo, fn: () => Promise<T>): Promise<T> {
    // Under a parent the sampler dropped, no span at all (tracing.ts, droppedParent); the metric stays.
    if (droppedParent()) return this.timed(info, fn, undefined);
    // Attributes only on a span that records (src/telemetry/http-server.ts says why).
    const spanOptions: SpanOptions = { kind: SpanKind.CLIENT };
    return tracer.startActiveSpan(info.summary, spanOptions, (span) => {
      if (span.isRecording()) {
        span.setAttributes({
          ...this.baseAttributes,
          [ATTR_DB_OPERATION_NAME]: info.operation,
          [ATTR_DB_QUERY_SUMMARY]: info.summary,
          [ATTR_DB_QUERY_TEXT]: info.text,
          ...(info.collection ? { [ATTR_DB_COLLECTION_NAME]: info.collection } : {}),
        });
      }
      return this.timed(info, fn, span);
    });
  }

  /** Runs the statement, records its duration (and failure) in the metric and on the span if any. */
  private async timed<T>(info: StatementInfo, fn: () => Promise<T>, span: Span | undefined): Promise<T> {
    const started = performance.now();
    let failure: { errorType: string; statusCode?: string } | undefined;
    try {
      return await fn();
    } catch (error) {
      failure = describeFailure(error);
      if (span) {
        if (failure.statusCode) span.setAttribute(ATTR_DB_RESPONSE_STATUS_CODE, failure.statusCode);
        markFailed(span, error, failure.errorType);
      }
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      span?.end();
      this.recordDuration(info, seconds, failure);
    }
  }

  private recordDuration(info: StatementInfo, seconds: number, failure: { errorType: string; statusCode?: string } | undefined): void {
    shopMetrics().dbOperationDuration.record(seconds, {
      ...this.baseAttributes,
      [ATTR_DB_OPERATION_NAME]: info.operation,
      ...(info.collection ? { [ATTR_DB_COLLECTION_NAME]: info.collection } : {}),
      ...(failure?.statusCode ? { [ATTR_DB_RESPONSE_STATUS_CODE]: failure.statusCode } : {}),
      ...(failure ? { [ATTR_ERROR_TYPE]: failure.errorType } : {}),
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

/**
 * `db.response.status_code` is the SQLSTATE the server answered, so only a PostgresError has one; a
 * driver or socket code (ECONNREFUSED, CONNECTION_CLOSED) is no response and goes to `error.type` only.
 */
function describeFailure(error: unknown): { errorType: string; statusCode?: string } {
  if (error instanceof postgres.PostgresError) return { errorType: error.code, statusCode: error.code };
  const code = (error as { code?: unknown }).code;
  return { errorType: typeof code === 'string' ? code : (error as Error).name };
}
