/**
 * Links from dashboards into Explore (Tempo search, Loki logs) and between the otelkit dashboards.
 * Explore URLs carry Grafana variables (${__from}, ${__data.fields.x}, $service) unencoded, because
 * Grafana interpolates them only when they appear literally in the link.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';
import { DashboardLinkBuilder, DashboardLinkType } from '@grafana/grafana-foundation-sdk/dashboard';
import { LOKI, TEMPO } from './datasources.ts';

const GRAFANA_VARIABLE = /(\$\{[^}]+\})/;

/** Percent-encodes everything but `${...}` variables. */
const encodeKeepingVariables = (text: string): string =>
  text
    .split(GRAFANA_VARIABLE)
    .map((part, index) => (index % 2 === 1 ? part : encodeURIComponent(part)))
    .join('');

/** An Explore URL that runs `query` on `datasource` over the time range of the panel it is opened from. */
export const exploreUrl = (datasource: DataSourceRef, query: Record<string, unknown>): string => {
  const panes = {
    otelkit: {
      datasource: datasource.uid,
      queries: [{ refId: 'A', datasource, ...query }],
      range: { from: '${__from}', to: '${__to}' },
    },
  };
  return `/explore?schemaVersion=1&orgId=1&panes=${encodeKeepingVariables(JSON.stringify(panes))}`;
};

/** Explore URL for a TraceQL search in Tempo (results as a trace table). */
export const tempoSearchUrl = (traceql: string): string =>
  exploreUrl(TEMPO, { queryType: 'traceql', query: traceql, limit: 20, tableType: 'traces' });

/** Explore URL for a LogQL query in Loki. */
export const lokiLogsUrl = (logql: string): string => exploreUrl(LOKI, { expr: logql, queryType: 'range' });

/** A field data link (shown when you click a series, a point or a table cell). */
export const dataLink = (title: string, url: string): DashboardLinkBuilder =>
  new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url).targetBlank(false);

/** Dashboard header dropdown with the other otelkit dashboards, keeping time range and variables. */
export const otelkitDashboardsLink = (): DashboardLinkBuilder =>
  new DashboardLinkBuilder('otelkit dashboards')
    .type(DashboardLinkType.Dashboards)
    .tags(['otelkit'])
    .asDropdown(true)
    .includeVars(true)
    .keepTime(true);

/** Dashboard header link straight into Explore. */
export const exploreLink = (title: string, url: string, tooltip: string): DashboardLinkBuilder =>
  new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(url).tooltip(tooltip).icon('external link').targetBlank(false);
