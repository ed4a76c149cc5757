/**
 * Long SLO windows are computed from recorded series, never from the raw request series: a range
 * over raw series reads every sample of every route × status code × replica series at every
 * evaluation (docs/slos.md, "Long windows from recorded rates", has the numbers).
 */
import { describe, expect, it } from 'vitest';
import { listFiles, readYaml } from './support/repo.ts';

const UNITS: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800, y: 31_536_000 };
const seconds = (duration: string): number =>
  [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)].reduce((sum, [, value, unit]) => sum + Number(value) * UNITS[unit!]!, 0);

interface RuleFile {
  groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }>;
}

/** Every range selector of an expression: the metric name it reads (or `{__name__=~…}`) and the range. */
function rangeSelectors(expr: string): Array<{ metric: string; range: string }> {
  return [...expr.matchAll(/([a-zA-Z_:][\w:]*)?(\{[^}]*\})?\s*\[\s*(\d+(?:ms|s|m|h|d|w|y))\s*\]/g)].map((m) => ({
    metric: m[1] ?? /__name__\s*=~?\s*"([^"]*)"/.exec(m[2] ?? '')?.[1] ?? '{}',
    range: m[3]!,
  }));
}

const rules = listFiles('prometheus/rules', ['.yml']).flatMap((file) =>
  readYaml<RuleFile>(file).groups.flatMap((group) => group.rules.map((rule) => ({ file, name: rule.record ?? rule.alert!, expr: rule.expr }))),
);

/** A recorded series is named level:metric:operations; raw (pushed or scraped) names have no colon. */
const isRecorded = (metric: string) => metric.includes(':');

describe('SLO windows from recorded rates', () => {
  it('recognises raw and recorded range selectors', () => {
    expect(rangeSelectors('sum(rate(http_server_request_duration_seconds_count{a="b"}[30d])) / x')).toEqual([
      { metric: 'http_server_request_duration_seconds_count', range: '30d' },
    ]);
    expect(rangeSelectors('sum_over_time(slo:sli_events:rate5m{slo="x"}[30d])')).toEqual([{ metric: 'slo:sli_events:rate5m', range: '30d' }]);
    expect(rangeSelectors('rate({__name__=~"otelcol_x(_total)?"}[5m])')).toEqual([{ metric: 'otelcol_x(_total)?', range: '5m' }]);
  });

  it('no rule reads a raw series over more than an hour', () => {
    const long = rules.flatMap((rule) =>
      rangeSelectors(rule.expr)
        .filter((sel) => !isRecorded(sel.metric) && seconds(sel.range) > 3_600)
        .map((sel) => `${rule.file}: ${rule.name} reads ${sel.metric}[${sel.range}]`),
    );
    expect(long).toEqual([]);
  });

  it.each(['api-availability', 'api-latency'])('%s: every window from 2h on is a ratio of sums of the two recorded 5m rates', (slo) => {
    const windows = rules.filter((rule) => rule.file.includes(`slo-${slo}`) && /^slo:sli_error:ratio_rate(2h|6h|1d|3d|30d)$/.test(rule.name));
    expect(windows.map((rule) => rule.name).sort()).toEqual(
      ['1d', '2h', '30d', '3d', '6h'].map((w) => `slo:sli_error:ratio_rate${w}`).sort(),
    );
    for (const rule of windows) {
      const range = /ratio_rate(\w+)$/.exec(rule.name)![1]!;
      expect(rule.expr.replace(/\s+/g, ' ').trim()).toBe(
        `sum_over_time(slo:sli_error_events:rate5m{slo="${slo}"}[${range}]) / sum_over_time(slo:sli_events:rate5m{slo="${slo}"}[${range}])`,
      );
    }
  });
});
