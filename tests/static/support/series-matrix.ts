/**
 * The topology × series matrix: for each series a rule, panel, runbook, SLO doc or the self-check
 * reads, and each topology, the producer and carrier that make it exist, the reason it may be
 * missing (EXEMPTIONS, the one place for those), or GAP. docs/topology-matrix.md is its rendering.
 */
import { producedSeries, type Produced } from './series-producers.ts';
import { outputLabels, selectedSeries, type LabelSet, type Matcher, type SelectedSeries } from './series-promql.ts';
import { ruleFiles, seriesReferences, type SeriesReference } from './series-references.ts';
import { topologies, type Topology } from './topologies.ts';

/** Why a reference may have no producer in a topology. Each reason must be true of that topology. */
export const EXEMPTIONS: Array<{ topologies: string[]; applies: (ref: SeriesReference) => boolean; reason: string }> = [
  {
    topologies: ['compose', 'compose+gateway', 'k8s', 'k8s-sidecar'],
    applies: (ref) => /^system_/.test(ref.name ?? ''),
    reason:
      "host metrics are opt-in: only the Linux overlay docker-compose.hostmetrics.yml (a bind mount of the host's /) runs the host_metrics receiver",
  },
  {
    topologies: ['compose', 'compose+hostmetrics'],
    applies: (ref) =>
      ref.job !== undefined && !matches(ref.job, 'otel-collector') && ['otel-agent', 'otel-gateway'].some((j) => matches(ref.job!, j)),
    reason: 'agent/gateway tiers only: this topology runs one Collector (job otel-collector)',
  },
  {
    topologies: ['k8s', 'k8s-sidecar'],
    applies: (ref) =>
      ref.job !== undefined && matches(ref.job, 'otel-collector') && !['otel-agent', 'otel-gateway'].some((j) => matches(ref.job!, j)),
    reason:
      'the single Collector (job otel-collector) does not run on Kubernetes: the agent and gateway tiers carry the telemetry there, watched by OtelCollectorTierDown (jobs otel-agent, otel-gateway)',
  },
];

const matches = (m: Matcher, value: string): boolean => {
  if (m.op === '=') return m.value === value;
  if (m.op === '=~') return new RegExp(`^(?:${m.value})$`).test(value);
  return true;
};

export type Cell = { status: 'ok'; via: string[] } | { status: 'exempt'; reason: string } | { status: 'gap'; missing: string };

/** Producers that satisfy one reference: its name, every label it needs, and its job matcher. */
export const satisfying = (
  ref: Pick<SeriesReference, 'name' | 'nameMatcher' | 'labels' | 'job'>,
  produced: Produced[],
): { found: Produced[]; missing: string } => {
  const named = produced.filter((p) => (ref.name ? p.name === ref.name : ref.nameMatcher ? matches(ref.nameMatcher, p.name) : false));
  if (named.length === 0) return { found: [], missing: 'no producer of this name' };
  const labelled = named.filter((p) => p.open || ref.labels.every((l) => p.labels.has(l)));
  if (labelled.length === 0) {
    const lacking = ref.labels.filter((l) => !named.some((p) => p.labels.has(l)));
    return { found: [], missing: `no producer with label(s) ${lacking.join(', ') || ref.labels.join(', ')}` };
  }
  const jobbed = ref.job ? labelled.filter((p) => [...p.jobs].some((j) => matches(ref.job!, j))) : labelled;
  if (jobbed.length === 0)
    return {
      found: [],
      missing: `no scrape job matches job${ref.job!.op}"${ref.job!.value}" (jobs: ${[...new Set(labelled.flatMap((p) => [...p.jobs]))].join(', ') || 'none'})`,
    };
  return { found: jobbed, missing: '' };
};

const refOf = (s: SelectedSeries) => ({
  ...(s.name ? { name: s.name } : {}),
  ...(s.matchers.some((m) => m.label === '__name__') && !s.name ? { nameMatcher: s.matchers.find((m) => m.label === '__name__')! } : {}),
  labels: s.labels,
  ...(s.matchers.some((m) => m.label === 'job' && (m.op === '=' || m.op === '=~'))
    ? { job: s.matchers.find((m) => m.label === 'job' && (m.op === '=' || m.op === '=~'))! }
    : {}),
});

/** Recording rules' and alerts' outputs, evaluated in file order (twice, for rules reading later rules). */
export const ruleOutputs = (produced: Produced[]): Produced[] => {
  const out: Produced[] = [];
  const labelsOf = (s: SelectedSeries): LabelSet => {
    const found = satisfying({ ...refOf(s), labels: [] }, [...produced, ...out]).found;
    return { labels: new Set(found.flatMap((p) => [...p.labels])), open: found.some((p) => p.open) };
  };
  for (let pass = 0; pass < 2; pass++) {
    for (const { file, rules } of ruleFiles()) {
      for (const rule of rules) {
        const inputs = selectedSeries(rule.expr).filter((s) => !/absent/.test(rule.expr) || s.matchers.length === 0);
        const all = [...produced, ...out];
        if (!inputs.every((s) => satisfying(refOf(s), all).found.length > 0)) continue;
        const result = outputLabels(rule.expr, labelsOf);
        const jobs = result.labels.has('job') ? inputs.flatMap((s) => satisfying(refOf(s), all).found.flatMap((p) => [...p.jobs])) : [];
        const name = rule.record ?? 'ALERTS';
        const labels = [...result.labels, ...Object.keys(rule.labels ?? {}), ...(rule.alert ? ['alertname', 'alertstate'] : [])];
        if (
          out.some(
            (p) => p.name === name && p.producer === `${file} ${rule.record ?? rule.alert}` && p.labels.size === new Set(labels).size,
          )
        )
          continue;
        out.push({
          name,
          labels: new Set(labels),
          open: result.open,
          jobs: new Set(jobs),
          producer: `${file} ${rule.record ?? rule.alert}`,
          carrier: 'rule evaluation',
        });
      }
    }
  }
  return out;
};

export interface Matrix {
  topologies: Topology[];
  references: SeriesReference[];
  cells: Map<string, Map<string, Cell>>;
  gaps: Map<string, Array<{ ref: SeriesReference; missing: string }>>;
}

export const buildMatrix = (): Matrix => {
  const tops = topologies();
  const { references } = seriesReferences();
  const cells = new Map<string, Map<string, Cell>>();
  const gaps = new Map<string, Array<{ ref: SeriesReference; missing: string }>>();
  for (const t of tops) {
    const base = producedSeries(t);
    const produced = [...base, ...ruleOutputs(base)];
    const column = new Map<string, Cell>();
    const topGaps: Array<{ ref: SeriesReference; missing: string }> = [];
    for (const ref of references) {
      const { found, missing } = satisfying(ref, produced);
      const exemption = EXEMPTIONS.find((e) => e.topologies.includes(t.id) && e.applies(ref));
      if (found.length > 0) column.set(ref.key, { status: 'ok', via: [...new Set(found.map((p) => `${p.producer} via ${p.carrier}`))] });
      else if (exemption) column.set(ref.key, { status: 'exempt', reason: exemption.reason });
      else {
        column.set(ref.key, { status: 'gap', missing });
        topGaps.push({ ref, missing });
      }
    }
    cells.set(t.id, column);
    gaps.set(t.id, topGaps);
  }
  return { topologies: tops, references, cells, gaps };
};
