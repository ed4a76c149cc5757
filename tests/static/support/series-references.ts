/**
 * Every series something in the repository reads, and from where: alert and recording rules,
 * dashboard panels and variables, runbook and SLO queries, and the self-check's PromQL. Read from
 * the files at test time, so a new panel or rule is a new row of the matrix without anyone listing it.
 */
import { docQueries } from '../../e2e/docs-queries.ts';
import { dashboardQueries, interpolate, loadDashboards, provisioningQueries } from './queries.ts';
import { listFiles, readRepoFile, readYaml } from './repo.ts';
import { promqlErrors, selectedSeries, type Matcher } from './series-promql.ts';

export type ReaderKind = 'alert' | 'recording rule' | 'dashboard' | 'runbook' | 'SLO doc' | 'self-check';

export interface Reading {
  kind: ReaderKind;
  /** File and place, e.g. `prometheus/rules/red.yml HighErrorRate`. */
  source: string;
  query: string;
}

/** One series as it is read: name (or name regex), the labels it needs, and its `job` matcher. */
export interface SeriesReference {
  /** Stable row key, e.g. `up{job=~"otel-agent|otel-gateway"}` or `shop_orders_total [service_name]`. */
  key: string;
  name?: string;
  nameMatcher?: Matcher;
  labels: string[];
  job?: Matcher;
  readers: Reading[];
}

export interface Rule {
  record?: string;
  alert?: string;
  expr: string;
  labels?: Record<string, string>;
}
export interface RuleFile {
  file: string;
  rules: Rule[];
}

/** prometheus/rules/*.yml, every group's rules in file order. */
export const ruleFiles = (): RuleFile[] =>
  listFiles('prometheus/rules', ['.yml', '.yaml']).map((file) => ({
    file,
    rules: (readYaml<{ groups?: Array<{ rules?: Rule[] }> }>(file).groups ?? []).flatMap((g) => g.rules ?? []),
  }));

const ruleReadings = (): Reading[] =>
  ruleFiles().flatMap(({ file, rules }) =>
    rules.map((rule) => ({
      kind: rule.alert ? ('alert' as const) : ('recording rule' as const),
      source: `${file} ${rule.alert ?? rule.record}`,
      query: rule.expr,
    })),
  );

const dashboardReadings = (): Reading[] =>
  [...loadDashboards().flatMap(({ file, dashboard }) => dashboardQueries(file, dashboard)), ...provisioningQueries()]
    .filter((q) => q.language === 'promql')
    .map((q) => ({ kind: 'dashboard' as const, source: q.source, query: interpolate(q.query) }));

/** Runbooks and the SLO doc: the PromQL docs-queries.ts finds there (blocks and table cells). */
const docReadings = (): Reading[] =>
  docQueries()
    .filter((q) => q.source.startsWith('docs/runbooks/') || q.source.startsWith('docs/slos.md'))
    .map((q) => ({
      kind: q.source.startsWith('docs/slos.md') ? ('SLO doc' as const) : ('runbook' as const),
      source: q.source,
      query: q.query,
    }));

/**
 * The self-check's queries: its exported `*_QUERY` constants (src/selfcheck), template
 * placeholders replaced by a plain value. What it reads from the Collector's own /metrics endpoint
 * directly is not a Prometheus series and not listed.
 */
const selfCheckReadings = (): Reading[] =>
  listFiles('src/selfcheck', ['.ts']).flatMap((file) =>
    [...readRepoFile(file).matchAll(/export const (\w+_QUERY) = (`[^`]*`|'[^']*'|"[^"]*")/g)].map((m) => ({
      kind: 'self-check' as const,
      source: `${file} ${m[1]}`,
      query: m[2]!.slice(1, -1).replace(/\$\{[^}]+\}/g, 'x'),
    })),
  );

export const allReadings = (): Reading[] => [...ruleReadings(), ...dashboardReadings(), ...docReadings(), ...selfCheckReadings()];

const describe = (name: string | undefined, nameMatcher: Matcher | undefined, labels: string[], job: Matcher | undefined): string => {
  const base = name ?? `{__name__${nameMatcher?.op}"${nameMatcher?.value}"}`;
  const jobPart = job ? `{job${job.op}"${job.value}"}` : '';
  const rest = labels.filter((l) => l !== 'job' || !job);
  return `${base}${jobPart}${rest.length ? ` [${rest.join(', ')}]` : ''}`;
};

/** The readings folded into one reference per distinct (series, labels, job matcher). */
export const seriesReferences = (readings: Reading[] = allReadings()): { references: SeriesReference[]; unparsable: Reading[] } => {
  const byKey = new Map<string, SeriesReference>();
  const unparsable: Reading[] = [];
  for (const reading of readings) {
    if (promqlErrors(reading.query).length > 0) {
      unparsable.push(reading);
      continue;
    }
    for (const s of selectedSeries(reading.query)) {
      const nameMatcher = s.name ? undefined : s.matchers.find((m) => m.label === '__name__');
      const job = s.matchers.find((m) => m.label === 'job' && (m.op === '=' || m.op === '=~'));
      const key = describe(s.name, nameMatcher, s.labels, job);
      const ref = byKey.get(key) ?? {
        key,
        labels: s.labels,
        readers: [],
        ...(s.name ? { name: s.name } : {}),
        ...(nameMatcher ? { nameMatcher } : {}),
        ...(job ? { job } : {}),
      };
      if (!ref.readers.some((r) => r.source === reading.source)) ref.readers.push(reading);
      byKey.set(key, ref);
    }
  }
  return { references: [...byKey.values()].sort((a, b) => a.key.localeCompare(b.key)), unparsable };
};
