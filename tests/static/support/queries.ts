/**
 * Every query the Grafana side runs, extracted from the generated dashboards and from data source
 * provisioning, and checked with the official Lezer grammars of PromQL, LogQL and TraceQL.
 */
import { parser as logqlParser } from '@grafana/lezer-logql';
import { parser as traceqlParser } from '@grafana/lezer-traceql';
import { parser as promqlParser } from '@prometheus-io/lezer-promql';
import { listFiles, readJson, readYaml } from './repo.ts';

export type Language = 'promql' | 'logql' | 'traceql';

export interface FoundQuery {
  language: Language;
  /** Where it was found, for the failure message. */
  source: string;
  query: string;
}

interface LezerTree {
  iterate(spec: { enter: (node: { type: { isError: boolean }; from: number }) => void }): void;
}
interface LezerParser {
  parse(input: string): LezerTree;
}

const PARSERS: Record<Language, LezerParser> = {
  promql: promqlParser as unknown as LezerParser,
  logql: logqlParser as unknown as LezerParser,
  traceql: traceqlParser as unknown as LezerParser,
};

/**
 * Replaces Grafana's template syntax by plain values the grammars accept, the way Grafana would
 * before sending the query: interval macros become durations, trace-to-X tag lists become a label
 * matcher, every other variable a plain word. (Provisioning's `$$` escaping must be undone first.)
 */
export const interpolate = (query: string): string =>
  query
    .replace(/\{\$\{__tags\}\}/g, '{service_namespace="otelkit"}')
    .replace(/\$\{__tags\}|\$__tags/g, 'service_name="api"')
    .replace(/\$\{?__(rate_interval|interval|range|auto)\}?/g, '5m')
    .replace(/\$\{[^}]+\}/g, 'x')
    .replace(/\$[A-Za-z_]\w*/g, 'x');

/** Character offsets of the syntax errors Lezer recovered from (empty: the query parses). */
export const syntaxErrors = (language: Language, query: string): number[] => {
  const offsets: number[] = [];
  PARSERS[language].parse(interpolate(query)).iterate({
    enter: (node) => {
      if (node.type.isError) offsets.push(node.from);
    },
  });
  return offsets;
};

interface Target {
  datasource?: { type?: string; uid?: string };
  expr?: string;
  query?: string;
  queryType?: string;
  refId?: string;
}
interface PanelLike {
  title?: string;
  type?: string;
  datasource?: { type?: string };
  targets?: Target[];
  panels?: PanelLike[];
}
interface DashboardLike {
  uid?: string;
  title?: string;
  panels?: PanelLike[];
  templating?: { list?: Array<{ name: string; datasource?: { type?: string }; query?: unknown }> };
}

const LABEL_VALUES = /^label_values\((.*),\s*([A-Za-z_]\w*)\)$/s;

const fromTarget = (source: string, target: Target, panelType: string | undefined): FoundQuery[] => {
  const type = target.datasource?.type ?? panelType;
  if (type === 'prometheus' && target.expr) return [{ language: 'promql', source, query: target.expr }];
  if (type === 'loki' && target.expr) return [{ language: 'logql', source, query: target.expr }];
  if (type === 'tempo' && target.query) return [{ language: 'traceql', source, query: target.query }];
  return [];
};

/** Every query of one dashboard JSON: panel targets (rows included) and variable queries. */
export const dashboardQueries = (file: string, dashboard: DashboardLike): FoundQuery[] => {
  const found: FoundQuery[] = [];
  const visit = (panels: PanelLike[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        found.push(...fromTarget(`${file} panel "${panel.title}" ${target.refId}`, target, panel.datasource?.type));
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  for (const variable of dashboard.templating?.list ?? []) {
    if (variable.datasource?.type !== 'prometheus' || typeof variable.query !== 'string') continue;
    // label_values(<selector>, <label>) is Grafana syntax around a PromQL series selector.
    const match = LABEL_VALUES.exec(variable.query);
    found.push({
      language: 'promql',
      source: `${file} variable ${variable.name}`,
      query: match?.[1] ?? variable.query,
    });
  }
  return found;
};

/** The generated dashboards, parsed. */
export const loadDashboards = (): Array<{ file: string; dashboard: DashboardLike }> =>
  listFiles('grafana/dashboards', ['.json']).map((file) => ({ file, dashboard: readJson<DashboardLike>(file) }));

interface ProvisionedDatasource {
  name: string;
  uid?: string;
  type: string;
  jsonData?: {
    tracesToLogsV2?: { query?: string; customQuery?: boolean };
    tracesToMetrics?: { queries?: Array<{ name: string; query: string }> };
  };
}

/** Provisioning files of data sources. */
export const datasourceFiles = (): string[] => listFiles('grafana/provisioning/datasources', ['.yaml', '.yml']);

/** Provisioned data sources of every file. */
export const provisionedDatasources = (): Array<{ file: string; datasource: ProvisionedDatasource }> =>
  datasourceFiles().flatMap((file) =>
    (readYaml<{ datasources?: ProvisionedDatasource[] }>(file).datasources ?? []).map((datasource) => ({
      file,
      datasource,
    })),
  );

/** `$$` is how provisioning files escape a literal `$` from Grafana's env-variable expansion. */
const unescapeProvisioning = (value: string): string => value.replaceAll('$$', '$');

/** Queries embedded in data source provisioning (trace-to-logs, trace-to-metrics). */
export const provisioningQueries = (): FoundQuery[] =>
  provisionedDatasources().flatMap(({ file, datasource }) => {
    const found: FoundQuery[] = [];
    const logsQuery = datasource.jsonData?.tracesToLogsV2?.query;
    if (logsQuery) {
      found.push({ language: 'logql', source: `${file} ${datasource.name} tracesToLogsV2`, query: unescapeProvisioning(logsQuery) });
    }
    for (const metric of datasource.jsonData?.tracesToMetrics?.queries ?? []) {
      found.push({
        language: 'promql',
        source: `${file} ${datasource.name} tracesToMetrics "${metric.name}"`,
        query: unescapeProvisioning(metric.query),
      });
    }
    return found;
  });
