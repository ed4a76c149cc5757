import { SpanKind } from '@opentelemetry/api';
import { afterAll, describe, expect, it } from 'vitest';
import { connectDb } from '../../src/infra/db/connect.ts';
import { createLogger } from '../../src/infra/logger.ts';
import { LogCapture } from '../helpers/in-process-stack.ts';
import { TEST_DATABASE_URL } from '../helpers/backends.ts';
import { finishedSpans, metricPoints } from '../helpers/telemetry.ts';

// DB client spans and db.client.operation.duration as the PostgreSQL conventions (1.45.0) want them.
const logger = createLogger('db', 'info', new LogCapture());
const db = connectDb({ url: TEST_DATABASE_URL, poolMax: 1, slowQueryMs: 10_000, poolName: 'db-conventions' }, logger);
// Nothing listens on port 1: every statement fails to connect.
const down = connectDb({ url: 'postgres://otelkit:otelkit@127.0.0.1:1/nowhere', poolMax: 1, slowQueryMs: 10_000, poolName: 'db-down' }, logger);
afterAll(async () => {
  await db.end();
  await down.end(0);
});

const url = new URL(TEST_DATABASE_URL);
const clientSpan = (text: string) => {
  const span = finishedSpans().find((s) => s.kind === SpanKind.CLIENT && s.attributes['db.query.text'] === text);
  if (!span) throw new Error(`no span for ${text}`);
  return span;
};
const durations = async (namespace: string) =>
  (await metricPoints('db.client.operation.duration')).filter((p) => p.attributes['db.namespace'] === namespace);

describe('DB client spans', () => {
  it('take db.operation.name, db.collection.name and db.query.summary from the call site, not from the query text', async () => {
    // Parsed, this would be `WITH` on `pg_class`; the call site knows it reads pg_class and pg_namespace.
    await db.query({ operation: 'SELECT', summary: 'SELECT pg_class pg_namespace' })`
      WITH c AS (SELECT relnamespace FROM pg_class LIMIT 1) SELECT nspname FROM c JOIN pg_namespace n ON n.oid = c.relnamespace`;
    const span = clientSpan('WITH c AS (SELECT relnamespace FROM pg_class LIMIT 1) SELECT nspname FROM c JOIN pg_namespace n ON n.oid = c.relnamespace');
    expect(span.name).toBe('SELECT pg_class pg_namespace');
    expect(span.attributes).toMatchObject({ 'db.operation.name': 'SELECT', 'db.query.summary': 'SELECT pg_class pg_namespace' });
    expect(span.attributes['db.collection.name']).toBeUndefined();

    await db.query({ operation: 'SELECT', collection: 'pg_database' })`SELECT datname FROM pg_database WHERE datname = ${'x'}`;
    expect(clientSpan('SELECT datname FROM pg_database WHERE datname = $1').attributes).toMatchObject({
      'db.operation.name': 'SELECT',
      'db.collection.name': 'pg_database',
      'db.query.summary': 'SELECT pg_database',
      'db.system.name': 'postgresql',
    });
  });

  it('set db.response.status_code to the SQLSTATE of a refused statement, on the span and the duration metric', async () => {
    await expect(db.query({ operation: 'SELECT' })`SELECT 1 / ${0}::int AS boom`).rejects.toThrow(/division by zero/);
    expect(clientSpan('SELECT 1 / $1::int AS boom').attributes).toMatchObject({ 'db.response.status_code': '22012', 'error.type': '22012' });
    const failed = (await durations(url.pathname.slice(1))).find((p) => p.attributes['error.type'] === '22012');
    expect(failed?.attributes).toMatchObject({
      'db.response.status_code': '22012',
      'db.system.name': 'postgresql',
      'db.operation.name': 'SELECT',
      'server.address': url.hostname,
      'server.port': Number(url.port || 5432),
    });
    const ok = (await durations(url.pathname.slice(1))).find((p) => p.attributes['error.type'] === undefined);
    expect(ok?.attributes).toMatchObject({ 'server.address': url.hostname, 'server.port': Number(url.port || 5432) });
    expect(ok?.attributes['db.response.status_code']).toBeUndefined();
  });

  it('put a connection failure (no response) in error.type only, never in db.response.status_code', async () => {
    await expect(down.query({ operation: 'SELECT' })`SELECT 2 AS unreachable`).rejects.toThrow();
    const span = clientSpan('SELECT 2 AS unreachable');
    expect(span.attributes['error.type']).toBe('ECONNREFUSED');
    expect(span.attributes['db.response.status_code']).toBeUndefined();
    const [point] = await durations('nowhere');
    expect(point?.attributes).toMatchObject({ 'error.type': 'ECONNREFUSED', 'server.address': '127.0.0.1', 'server.port': 1 });
    expect(point?.attributes['db.response.status_code']).toBeUndefined();
  });
});
