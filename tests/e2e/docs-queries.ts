import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT } from './native-stack.ts';
import { substitute } from './dashboard-queries.ts';
import { query } from './prometheus-api.ts';

export interface DocQuery {
  source: string;
  query: string;
  /** Why this query cannot return data on a healthy native stack, if it cannot. */
  exempt?: string;
}

/**
 * Queries that cannot return data on a healthy native stack, by a pattern of their text, each with
 * its reason. Everything else a reader of docs/ is told to run must answer with at least one series.
 */
export const EXEMPT: Array<{ pattern: RegExp; reason: string }> = [
  {
    pattern:
      /otelcol_(exporter_send_failed|exporter_enqueue_failed|receiver_refused|receiver_failed|processor_memory_limiter_refused)_|otelcol:pipeline_dropped/,
    reason: 'failure counters: the Collector creates them only once something failed or was dropped',
  },
  { pattern: /\b(loki|tempo|grafana)_/, reason: 'self-metrics of Loki, Tempo and Grafana: they run only in compose' },
  {
    pattern: /^absent_over_time\(/,
    reason: 'absent(): empty while the series it watches exist (ServiceDown; its inputs are checked by the Resource dashboard)',
  },
  { pattern: /\bshop_rate_limit_rejections_total\b/, reason: 'created at the first rejection: the e2e load stays under the rate limit' },
  { pattern: /\bpostgresql_/, reason: 'postgresql receiver: compose only (cannot be built from the Go module proxy, collector/README.md)' },
  {
    pattern: /\bjob=~?"otel-(agent|gateway)/,
    reason: 'agent and gateway tiers: only with the compose overlay (docker-compose.gateway.yml); the native stack runs one Collector',
  },
];

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? markdownFiles(join(dir, entry.name)) : entry.name.endsWith('.md') ? [join(dir, entry.name)] : [],
  );
}

/** Inline code in a table cell that is a query (troubleshooting tables: "what to query | expect"). */
const TABLE_QUERY = /`((?:sum|rate|count|max|min|avg|histogram_quantile|increase|topk)\b[^`]*)`/g;

/**
 * Every query docs/ shows: each ```promql block (one query per block; `#` comment lines dropped)
 * and each query in a table cell, with Grafana variables substituted as for the dashboards.
 */
export function docQueries(): DocQuery[] {
  return markdownFiles(join(ROOT, 'docs')).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const name = relative(ROOT, file);
    const blocks = [...text.matchAll(/^[ \t]*```promql\n([\s\S]*?)^[ \t]*```/gm)].map((match, index) => ({
      source: `${name} block ${index + 1}`,
      text: match[1]!
        .split('\n')
        .filter((line) => !/^\s*#/.test(line))
        .join('\n'),
    }));
    const cells = text
      .split('\n')
      .flatMap((line, index) =>
        line.startsWith('|') ? [...line.matchAll(TABLE_QUERY)].map((m) => ({ source: `${name}:${index + 1}`, text: m[1]! })) : [],
      );
    return [...blocks, ...cells].map(({ source, text: raw }) => {
      const query = substitute(raw.trim());
      return { source, query, exempt: EXEMPT.find((e) => e.pattern.test(query))?.reason };
    });
  });
}

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'and',
  'or',
  'unless',
  'offset',
  'bool',
  'inf',
  'nan',
]);

/** The metric names a query selects (label matchers, grouping clauses, strings and durations removed). */
export function selectedMetrics(query: string): string[] {
  const stripped = query
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = [...stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)\b(?!\s*\()/g)].map((m) => m[1]!);
  return [...new Set(names.filter((name) => !KEYWORDS.has(name.toLowerCase()) && !/^\d/.test(name)))];
}

/**
 * A condition (an alert expression, a "> 0" check) or a breakdown of failures only (5xx) is empty
 * while all is well: then its inputs must not be.
 */
export const isCondition = (query: string) =>
  /(?:[<>]=?|[!=]=)\s*-?[\d(]/.test(query.replace(/\{[^}]*\}/g, '')) || /status_code=~"5\.\."/.test(query);

/**
 * Runs every docs/ query against Prometheus: each must answer with data, or be a condition whose
 * every selected metric has data, or be exempt (then it must still parse). Returns what failed.
 */
export async function unansweredDocQueries(): Promise<{ checked: number; failures: string[]; summary: string }> {
  const failures: string[] = [];
  const exempt: DocQuery[] = [];
  const queries = docQueries();
  for (const q of queries) {
    try {
      if ((await query(q.query)).length > 0) continue;
      if (q.exempt) {
        exempt.push(q);
        continue;
      }
      if (!isCondition(q.query)) {
        failures.push(`${q.source}: no data: ${q.query}`);
        continue;
      }
      for (const name of selectedMetrics(q.query)) {
        if ((await query(`{__name__="${name}"}`)).length === 0) failures.push(`${q.source}: condition input ${name} has no data`);
      }
    } catch (error) {
      failures.push(`${q.source}: ${String(error)}`);
    }
  }
  const summary = `docs queries: ${queries.length} checked, ${exempt.length} without data and exempt:\n${exempt.map((q) => `  ${q.source}: ${q.exempt}`).join('\n')}`;
  return { checked: queries.length, failures, summary };
}
