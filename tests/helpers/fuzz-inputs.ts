import fc from 'fast-check';
import type { Hono } from 'hono';

/**
 * Hostile HTTP inputs for property-based tests: strings, bodies and headers an attacker (or a broken
 * client) may send. Every generator stays small enough that hundreds of cases run in seconds.
 */

/** Strings that have broken parsers, loggers, SQL and shells before. */
const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE users; --",
  '"><script>alert(1)</script>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '../../../../etc/passwd',
  '%00',
  '\u0000',
  '\r\nX-Injected: 1',
  '\n{"level":"fatal","msg":"forged"}',
  '$(id)',
  '`id`',
  '__proto__',
  'constructor',
  'NaN',
  '-0',
  '1e309',
];

/** Unicode that is valid but awkward: combining marks, RTL, astral planes, lone surrogates, BOM. */
const UNICODE = ['\u202e', '\ufeff', 'e\u0301', '\ud83d\ude00', '\ud800', '\udfff', '\u0085', '\u2028', 'İ', 'ß', '\uffff'];

export const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom(...INJECTIONS, ...UNICODE),
  fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom(...INJECTIONS, ...UNICODE)).map(([a, b]) => a + b),
);

/** Any JSON value, wrongly typed for every schema most of the time. */
const jsonValue = fc.jsonValue({ maxDepth: 3 });

const nested = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

/** Request bodies: malformed JSON, wrong types, deep nesting, oversized, and near-valid objects. */
export const hostileBody = (fieldNames: string[]) =>
  fc.oneof(
    fc.constant(undefined),
    hostileString,
    jsonValue.map((value) => JSON.stringify(value)),
    fc.constantFrom('{', '{"a":', '[1,2', 'null', 'true', '"str"', '{"a":1}}', '\ufeff{}', '{"__proto__":{"admin":true}}'),
    fc.integer({ min: 1, max: 20_000 }).map((depth) => nested(depth, '[', ']')),
    fc.integer({ min: 1, max: 5_000 }).map((depth) => nested(depth, '{"a":', '}').replace(/\{"a":\}/, '{"a":1}')),
    // Over the 64 KiB body limit of the apps under test: must be refused before parsing.
    fc.integer({ min: 65_537, max: 200_000 }).map((size) => JSON.stringify({ name: 'x'.repeat(size) })),
    fc
      .dictionary(fc.constantFrom(...fieldNames), fc.oneof(jsonValue, hostileString), { maxKeys: fieldNames.length })
      .map((o) => JSON.stringify(o)),
  );

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEFxyz-'), minLength: length, maxLength: length });

/** traceparent values: well formed, almost well formed, and garbage. */
export const traceparent = fc.oneof(
  fc.tuple(hex(2), hex(32), hex(16), hex(2)).map((parts) => parts.join('-')),
  fc.constantFrom(
    '00-00000000000000000000000000000000-0000000000000000-01',
    '00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01',
    'ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra',
    '00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01',
    '0af7651916cd43dd8448eb211c80319c',
  ),
  hostileString,
);

/** tracestate and baggage: many members, huge members, bad encodings. */
export const listHeader = fc.oneof(
  hostileString,
  fc.array(fc.tuple(hostileString, hostileString), { maxLength: 40 }).map((pairs) => pairs.map(([k, v]) => `${k}=${v}`).join(',')),
  fc.integer({ min: 100, max: 9_000 }).map((size) => `k=${'v'.repeat(size)}`),
  fc.integer({ min: 10, max: 300 }).map((count) => Array.from({ length: count }, (_, i) => `k${i}=v%zz${i};p=%`).join(',')),
);

/** Header values node:http and fetch will actually send: printable Latin-1 without CR/LF/NUL. */
export const sendable = (value: string) => value.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?');

export const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'PROPFIND', 'X-FOO'] as const;

/** Every concrete route of a Hono app (method + template), so a route added later is fuzzed too. */
export function routesOf(app: Hono<any>): Array<{ method: string; path: string }> {
  const seen = new Set<string>();
  return app.routes
    .filter((r) => r.method !== 'ALL' && !r.path.includes('*'))
    .filter((r) => !seen.has(`${r.method} ${r.path}`) && seen.add(`${r.method} ${r.path}`))
    .map((r) => ({ method: r.method, path: r.path }));
}

/** A concrete path for a route template, with attacker-chosen values in its `:params`. */
export const pathFor = (template: string) =>
  fc.array(fc.oneof(fc.uuid(), hostileString), { minLength: 4, maxLength: 4 }).map((values) => {
    let i = 0;
    return template.replace(/:[A-Za-z_]+/g, () => encodeURIComponent((values[i++ % values.length] ?? '').toWellFormed()));
  });

/** Distinct metric series (name + attribute set) of an SDK collection, as stable strings. */
export function seriesOf(resourceMetrics: {
  scopeMetrics: Array<{ metrics: Array<{ descriptor: { name: string }; dataPoints: Array<{ attributes: Record<string, unknown> }> }> }>;
}) {
  const series = new Map<string, { name: string; attributes: Record<string, unknown> }>();
  for (const metric of resourceMetrics.scopeMetrics.flatMap((s) => s.metrics))
    for (const point of metric.dataPoints) {
      const attributes = Object.fromEntries(Object.entries(point.attributes).sort(([a], [b]) => a.localeCompare(b)));
      series.set(`${metric.descriptor.name} ${JSON.stringify(attributes)}`, { name: metric.descriptor.name, attributes });
    }
  return series;
}
