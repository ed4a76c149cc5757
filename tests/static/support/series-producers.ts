/**
 * The series a topology produces, each with its producer and the path that carries it into
 * Prometheus: app instruments over OTLP, the span_metrics/service_graph connectors, the receivers
 * of a Collector pipeline, what each scrape job scrapes, and the rules' own outputs.
 */
import * as semconv from '@opentelemetry/semantic-conventions';
import * as incubating from '@opentelemetry/semantic-conventions/incubating';
import { listFiles, readRepoFile, readYaml } from './repo.ts';
import type { LabelSet } from './series-promql.ts';
import type { CollectorInstance, Topology } from './topologies.ts';

export interface Produced extends LabelSet {
  name: string;
  /** Values of `job` this producer's series carry (empty: no job label). */
  jobs: Set<string>;
  producer: string;
  carrier: string;
}

type Kind = 'counter' | 'updown' | 'gauge' | 'histogram';
interface Instrument {
  name: string;
  unit: string;
  kind: Kind;
  attributes?: string[];
  enabled_in_config?: boolean;
}

const UNITS: Record<string, string> = {
  s: 'seconds',
  ms: 'milliseconds',
  us: 'microseconds',
  ns: 'nanoseconds',
  By: 'bytes',
  '%': 'percent',
  m: 'minutes',
  h: 'hours',
  d: 'days',
};
const PER: Record<string, string> = { s: 'second', m: 'minute', h: 'hour', d: 'day' };

/** An OTel name as Prometheus' OTLP translation `UnderscoreEscapingWithSuffixes` writes it. */
export const prometheusNames = (i: Instrument): string[] => {
  let name = i.name.replace(/[^a-zA-Z0-9_:]/g, '_').replace(/__+/g, '_');
  const unit = i.unit.replace(/\{[^}]*\}/g, '');
  const [main = '', per] = unit.split('/');
  const suffix = [main === '1' ? (i.kind === 'gauge' ? 'ratio' : '') : (UNITS[main] ?? main), per ? `per_${PER[per] ?? per}` : '']
    .filter(Boolean)
    .join('_');
  if (suffix && !name.endsWith(`_${suffix}`)) name = `${name}_${suffix}`;
  if (i.kind === 'counter') return [`${name}_total`];
  if (i.kind === 'histogram') return [`${name}_bucket`, `${name}_sum`, `${name}_count`];
  return [name];
};
export const labelName = (attribute: string): string => attribute.replace(/[^a-zA-Z0-9_]/g, '_');

// ------------------------------------------------------------------------------------------------
// App instruments: read from src/ and from the instrumentation packages src/instrumentation/sdk.ts uses

const KIND: Record<string, Kind> = {
  Counter: 'counter',
  ObservableCounter: 'counter',
  UpDownCounter: 'updown',
  ObservableUpDownCounter: 'updown',
  Histogram: 'histogram',
  Gauge: 'gauge',
  ObservableGauge: 'gauge',
};

const instrumentSources = (): string[] => {
  const packages = [...readRepoFile('src/instrumentation/sdk.ts').matchAll(/from '(@opentelemetry\/instrumentation-[\w-]+)'/g)].map(
    (m) => m[1]!,
  );
  return [...listFiles('src', ['.ts']), ...packages.flatMap((p) => listFiles(`node_modules/${p}/dist`, ['.mjs']))];
};

/** Every instrument created in the app's code and its instrumentations, names resolved through constants. */
export const appInstruments = (): Instrument[] => {
  const sources = instrumentSources().map((f) => readRepoFile(f));
  const constants: Record<string, string> = {
    ...(semconv as Record<string, unknown> as Record<string, string>),
    ...(incubating as Record<string, unknown> as Record<string, string>),
  };
  for (const text of sources) for (const m of text.matchAll(/const (METRIC_\w+) = ['"]([^'"]+)['"]/g)) constants[m[1]!] = m[2]!;
  const found = new Map<string, Instrument>();
  for (const text of sources) {
    for (const m of text.matchAll(/\b(?:create(\w+)|observeGauge)\(\s*(?:[\w.]*?\.)?([\w]+|'[^']+'|"[^"]+")\s*,/g)) {
      const kind = m[1] ? KIND[m[1]] : 'gauge';
      const raw = m[2]!;
      const name = /^['"]/.test(raw) ? raw.slice(1, -1) : constants[raw];
      if (!kind || !name || !/^[a-z][\w.]*$/.test(name)) continue;
      const options = text.slice(m.index + m[0].length, m.index + m[0].length + 400).split(/\bcreate\w+\(|observeGauge\(/)[0]!;
      found.set(name, { name, kind, unit: /unit:\s*['"]([^'"]*)['"]/.exec(options)?.[1] ?? '' });
    }
  }
  return [...found.values()];
};

// ------------------------------------------------------------------------------------------------
// Collector pipelines

const PROMETHEUS_OTLP = /\/api\/v1\/otlp/;

/** Metrics pipelines of a Collector that end in Prometheus' OTLP receiver, with their receivers and processors. */
const pipelinesToPrometheus = (c: CollectorInstance) =>
  Object.entries(c.config.service?.pipelines ?? {})
    .filter(([id]) => id.split('/')[0] === 'metrics')
    .filter(([, p]) => (p.exporters ?? []).some((e) => PROMETHEUS_OTLP.test(JSON.stringify(c.config.exporters?.[e] ?? {}))))
    .map(([id, p]) => ({ id, receivers: p.receivers ?? [], processors: p.processors ?? [] }));

/**
 * Whether spans reach a connector: a traces pipeline fed by the OTLP receiver (when apps or agents
 * send to this Collector) or by a connector that spans reach, exporting to it. Followed to a fixed
 * point, so chains of connectors (routing, forward) count.
 */
const spansReach = (c: CollectorInstance, connector: string, all: CollectorInstance[]): boolean => {
  const fed = c.fromApps || c.spansFrom.some((from) => all.find((x) => x.name === from)?.fromApps);
  if (!fed) return false;
  const traces = Object.entries(c.config.service?.pipelines ?? {}).filter(([id]) => id.split('/')[0] === 'traces');
  const reached = new Set<string>(['otlp']);
  for (let changed = true; changed;) {
    changed = false;
    for (const [, p] of traces) {
      if (!(p.receivers ?? []).some((r) => reached.has(r))) continue;
      for (const e of p.exporters ?? [])
        if (c.config.connectors?.[e] !== undefined && !reached.has(e)) changed = reached.add(e) !== undefined;
    }
  }
  return reached.has(connector);
};

/** Data point attributes a transform processor of the pipeline sets, per instrumentation scope it limits them to. */
const setAttributes = (c: CollectorInstance, processors: string[]): Array<{ label: string; scope?: string }> =>
  processors.flatMap((p) =>
    ((c.config.processors?.[p]?.metric_statements ?? []) as unknown[]).flatMap((s) =>
      [...String(s).matchAll(/set\(datapoint\.attributes\["([^"]+)"\].*?(?:instrumentation_scope\.name == "([^"]+)")?$/g)].map((m) => ({
        label: labelName(m[1]!),
        ...(m[2] ? { scope: m[2] } : {}),
      })),
    ),
  );

const connectorSeries = (
  c: CollectorInstance,
  id: string,
  extra: Array<{ label: string; scope?: string }>,
): Array<{ names: string[]; labels: string[]; resource: boolean }> => {
  const cfg = c.config.connectors?.[id] ?? {};
  const dims = ((cfg.dimensions ?? []) as Array<{ name: string }>).map((d) => labelName(d.name));
  if (id.split('/')[0] === 'span_metrics') {
    const ns = String(cfg.namespace ?? 'traces.span.metrics');
    const excluded = ((cfg.exclude_dimensions ?? []) as string[]).map(labelName);
    const base = ['span_name', 'span_kind', 'status_code', 'collector_instance_id', ...dims].filter((l) => !excluded.includes(l));
    const unit = String((cfg.histogram as { unit?: string } | undefined)?.unit ?? 'ms');
    const events = cfg.events as { enabled?: boolean; dimensions?: Array<{ name: string }> } | undefined;
    return [
      { names: prometheusNames({ name: `${ns}.calls`, unit: '', kind: 'counter' }), labels: base, resource: true },
      { names: prometheusNames({ name: `${ns}.duration`, unit, kind: 'histogram' }), labels: [...base, 'le'], resource: true },
      ...(events?.enabled
        ? [
            {
              names: prometheusNames({ name: `${ns}.events`, unit: '', kind: 'counter' }),
              labels: [...base, ...(events.dimensions ?? []).map((d) => labelName(d.name))],
              resource: true,
            },
          ]
        : []),
    ];
  }
  const labels = [
    'client',
    'server',
    'connection_type',
    ...dims,
    ...(cfg.virtual_node_extra_label ? ['virtual_node'] : []),
    ...extra.filter((e) => !e.scope || e.scope === 'traces_service_graph').map((e) => e.label),
  ];
  return [
    { names: ['traces_service_graph_request_total', 'traces_service_graph_request_failed_total'], labels, resource: false },
    {
      names: ['server', 'client'].flatMap((side) =>
        prometheusNames({ name: `traces.service_graph.request.${side}`, unit: 's', kind: 'histogram' }),
      ),
      labels: [...labels, 'le'],
      resource: false,
    },
  ];
};

const receiverCatalog = readYaml<Record<string, Instrument[]>>('tests/fixtures/producers/receivers.yaml');
const scrapedCatalog = readYaml<Record<string, Array<{ name: string; labels: string[] }>>>('tests/fixtures/producers/scraped.yaml');

/** Catalog entries of a receiver in a pipeline: host_metrics by its configured scrapers. */
const receiverInstruments = (c: CollectorInstance, receiver: string): Instrument[] => {
  const type = receiver.split('/')[0]!;
  if (type !== 'host_metrics' && type !== 'hostmetrics') return receiverCatalog[type] ?? [];
  const scrapers = Object.keys(((c.config.receivers?.[receiver] ?? {}) as { scrapers?: Record<string, unknown> }).scrapers ?? {});
  return scrapers.flatMap((s) => receiverCatalog[`host_metrics/${s}`] ?? []);
};

/** Every series the topology produces (rules' outputs excepted: series-matrix.ts adds those). */
export const producedSeries = (t: Topology): Produced[] => {
  const out: Produced[] = [];
  const promoted = (t.otlp.promote_resource_attributes ?? []).map(labelName);
  const otlpLabels = ['job', 'instance', ...promoted];
  const add = (names: string[], labels: string[], open: boolean, jobs: string[], producer: string, carrier: string): void => {
    // Only a histogram's _bucket series carries `le`.
    for (const name of names)
      out.push({
        name,
        labels: new Set(labels.filter((l) => l !== 'le' || name.endsWith('_bucket'))),
        open,
        jobs: new Set(jobs),
        producer,
        carrier,
      });
  };
  const apps = appInstruments();
  for (const c of t.collectors) {
    for (const p of pipelinesToPrometheus(c)) {
      const carrier = `${c.name} ${p.id} pipeline → Prometheus OTLP`;
      const extra = setAttributes(c, p.processors);
      for (const r of p.receivers) {
        const type = r.split('/')[0]!;
        if (type === 'otlp' && c.fromApps) {
          // Attributes are set where a measurement is recorded: not derived here (open).
          for (const i of apps)
            add(prometheusNames(i), [...otlpLabels, ...(i.kind === 'histogram' ? ['le'] : [])], true, [], 'app SDK', `OTLP → ${carrier}`);
          add(
            ['target_info'],
            t.otlp.keep_identifying_resource_attributes
              ? ['job', 'instance', 'service_name', 'service_namespace', 'service_instance_id']
              : ['job', 'instance'],
            true,
            [],
            'Prometheus OTLP receiver (resource)',
            `OTLP → ${carrier}`,
          );
        } else if (c.config.connectors?.[r] !== undefined) {
          if (!spansReach(c, r, t.collectors)) continue;
          for (const s of connectorSeries(c, r, extra))
            add(s.names, [...s.labels, ...(s.resource ? otlpLabels : [])], false, [], `${r} connector`, carrier);
        } else {
          for (const i of receiverInstruments(c, r))
            add(
              prometheusNames(i),
              [...(i.attributes ?? []).map(labelName), ...(i.kind === 'histogram' ? ['le'] : [])],
              false,
              [],
              `${r} receiver`,
              carrier,
            );
        }
      }
    }
  }
  for (const job of t.scrapeJobs) {
    const carrier = `scrape job ${job.job}`;
    add(
      ['up', 'scrape_duration_seconds', 'scrape_samples_scraped', 'scrape_samples_post_metric_relabeling', 'scrape_series_added'],
      ['job', 'instance'],
      false,
      [job.job],
      'Prometheus scrape',
      carrier,
    );
    for (const target of job.targets) {
      const collector = t.collectors.find((c) => c.name === target.collector);
      const entries = scrapedCatalog[target.kind] ?? [];
      for (const e of entries) {
        if (collector && e.name.startsWith('otelcol_exporter') && Object.keys(collector.config.exporters ?? {}).length === 0) continue;
        add(
          [e.name],
          [...e.labels, 'job', 'instance'],
          false,
          [job.job],
          collector ? `Collector ${collector.name} (own metrics)` : target.kind,
          carrier,
        );
      }
    }
  }
  return out;
};
