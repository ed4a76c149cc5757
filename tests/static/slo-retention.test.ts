import { describe, expect, it } from 'vitest';
import { listFiles, readRepoFile, readYaml } from './support/repo.ts';

/** A Prometheus duration ("30d", "1h30m", "5w") in seconds. */
function seconds(duration: string): number {
  const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3_600, d: 86_400, w: 604_800, y: 31_536_000 };
  const parts = [...duration.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((sum, [, value, unit]) => sum + Number(value) * units[unit!]!, 0);
}

interface RuleFile {
  groups: Array<{ rules: Array<{ record?: string; alert?: string; expr: string }> }>;
}

/** Every range selector and subquery range in every rule expression: `[30d]`, `[1h:5m]`. */
function ruleRanges(): Array<{ rule: string; range: string }> {
  return listFiles('prometheus/rules', ['.yml']).flatMap((file) =>
    readYaml<RuleFile>(file).groups.flatMap((group) =>
      group.rules.flatMap((rule) =>
        [...rule.expr.matchAll(/\[\s*([0-9smhdwy]+)\s*(?::[^\]]*)?\]/g)].map((match) => ({
          rule: `${file}: ${rule.record ?? rule.alert}`,
          range: match[1]!,
        })),
      ),
    ),
  );
}

describe('SLO windows and Prometheus retention', () => {
  it('the longest range any rule reads is covered by the retention in prometheus.yml', () => {
    const config = readYaml<{ storage?: { tsdb?: { retention?: { time?: string; size?: string } } } }>('prometheus/prometheus.yml');
    const retention = config.storage?.tsdb?.retention;
    expect(retention?.time, 'storage.tsdb.retention.time in prometheus.yml').toBeDefined();
    // A size cap, so the longer retention cannot fill the disk unnoticed.
    expect(retention?.size).toMatch(/^\d+(KB|MB|GB|TB)$/);

    const ranges = ruleRanges();
    const longest = ranges.reduce((max, r) => (seconds(r.range) > seconds(max.range) ? r : max));
    // The 30-day SLO rules are what makes retention matter; if they go, this check must be revisited.
    expect(seconds(longest.range)).toBeGreaterThanOrEqual(seconds('30d'));
    expect(seconds(retention!.time!), `${longest.rule} reads [${longest.range}]`).toBeGreaterThanOrEqual(seconds(longest.range));
  });

  it('no command-line flag or compose variable overrides that retention', () => {
    // The flags are deprecated in Prometheus 3 and are only defaults: a value there would mislead.
    expect(readRepoFile('docker-compose.yml')).not.toMatch(/storage\.tsdb\.retention/);
    expect(readRepoFile('scripts/native-stack.sh')).not.toMatch(/storage\.tsdb\.retention/);
    expect(readRepoFile('.env.example')).not.toMatch(/^PROMETHEUS_RETENTION=/m);
  });
});
