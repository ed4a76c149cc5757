/**
 * Small panel factories so that the dashboard files read as "which question, which query, which
 * unit" rather than as builder boilerplate. Every factory sets the data source explicitly on the
 * panel and on each query (no reliance on Grafana's default data source).
 */
import {
  BigValueColorMode,
  BigValueGraphMode,
  GraphDrawStyle,
  GraphThresholdsStyleConfigBuilder,
  GraphThresholdsStyleMode,
  LegendDisplayMode,
  LegendPlacement,
  LogsSortOrder,
  ReduceDataOptionsBuilder,
  SortOrder,
  StackingConfigBuilder,
  StackingMode,
  TooltipDisplayMode,
  VizLegendOptionsBuilder,
  VizTooltipOptionsBuilder,
} from '@grafana/grafana-foundation-sdk/common';
import type { ThresholdsConfigBuilder } from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as GaugePanel } from '@grafana/grafana-foundation-sdk/gauge';
import { DataqueryBuilder as LokiQuery } from '@grafana/grafana-foundation-sdk/loki';
import { PanelBuilder as LogsPanel } from '@grafana/grafana-foundation-sdk/logs';
import { DataqueryBuilder as PromQueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { DataqueryBuilder as TempoQuery, SearchTableType } from '@grafana/grafana-foundation-sdk/tempo';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';
import { LOKI, PROMETHEUS, TEMPO } from './datasources.ts';
import { neutralThresholds } from './thresholds.ts';

/** What every panel needs: a title that is a question or a noun, a description that says why. */
export interface PanelText {
  title: string;
  description: string;
}

/** A Prometheus query builder (range or instant). */
export type PromQuery = PromQueryBuilder;

/** Size on the 24-column grid. */
export interface PanelSize {
  w: number;
  h: number;
}

/** A Prometheus range query; `legend` uses Grafana's {{label}} syntax. */
export const promRange = (refId: string, expr: string, legend: string): PromQuery =>
  new PromQueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).range();

/** A Prometheus instant query returning a table (one row per series), for tables and bar gauges. */
export const promInstantTable = (refId: string, expr: string, legend = '__auto'): PromQuery =>
  new PromQueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).instant().format(PromQueryFormat.Table);

/** A Prometheus instant query for a single number (stat, gauge). */
export const promInstant = (refId: string, expr: string, legend = '__auto'): PromQuery =>
  new PromQueryBuilder().refId(refId).datasource(PROMETHEUS).expr(expr).legendFormat(legend).instant();

/** Time series with a table legend (mean, max, last) sorted by the last value. */
export const timeseries = (
  text: PanelText,
  size: PanelSize,
  unit: string,
  targets: PromQuery[],
  thresholds?: ThresholdsConfigBuilder,
): TimeseriesPanel => {
  const panel = new TimeseriesPanel()
    .title(text.title)
    .description(text.description)
    .datasource(PROMETHEUS)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .lineWidth(1)
    .fillOpacity(10)
    .legend(
      new VizLegendOptionsBuilder()
        .showLegend(true)
        .displayMode(LegendDisplayMode.Table)
        .placement(LegendPlacement.Bottom)
        .calcs(['mean', 'max', 'lastNotNull'])
        .sortBy('Last *')
        .sortDesc(true),
    )
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .targets(targets);
  if (thresholds !== undefined) {
    // Draw the alert threshold as a dashed line: "how far from paging are we" at a glance.
    panel.thresholds(thresholds).thresholdsStyle(new GraphThresholdsStyleConfigBuilder().mode(GraphThresholdsStyleMode.Dashed));
  }
  return panel;
};

/** One big number (last value), coloured by `thresholds`, with a sparkline. */
export const stat = (
  text: PanelText,
  size: PanelSize,
  unit: string,
  targets: PromQuery[],
  thresholds: ThresholdsConfigBuilder = neutralThresholds(),
): StatPanel =>
  new StatPanel()
    .title(text.title)
    .description(text.description)
    .datasource(PROMETHEUS)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .thresholds(thresholds)
    .colorMode(BigValueColorMode.Value)
    .graphMode(BigValueGraphMode.Area)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets);

/** A gauge between `min` and `max`, coloured by `thresholds`. */
export const gauge = (
  text: PanelText,
  size: PanelSize,
  unit: string,
  range: { min: number; max: number },
  targets: PromQuery[],
  thresholds: ThresholdsConfigBuilder,
): GaugePanel =>
  new GaugePanel()
    .title(text.title)
    .description(text.description)
    .datasource(PROMETHEUS)
    .span(size.w)
    .height(size.h)
    .unit(unit)
    .min(range.min)
    .max(range.max)
    .thresholds(thresholds)
    .showThresholdMarkers(true)
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .targets(targets);

/** A table of instant Prometheus queries (merge them with a transformation). */
export const promTable = (text: PanelText, size: PanelSize, targets: PromQuery[]): TablePanel =>
  new TablePanel().title(text.title).description(text.description).datasource(PROMETHEUS).span(size.w).height(size.h).targets(targets);

/** Newest log lines first; click a line for its fields and the "View trace" link. */
export const logs = (text: PanelText, size: PanelSize, logql: string): LogsPanel =>
  new LogsPanel()
    .title(text.title)
    .description(text.description)
    .datasource(LOKI)
    .span(size.w)
    .height(size.h)
    .showTime(true)
    .wrapLogMessage(true)
    .enableLogDetails(true)
    .sortOrder(LogsSortOrder.Descending)
    .targets([new LokiQuery().refId('A').datasource(LOKI).expr(logql).maxLines(200)]);

/** A Loki metric query (count_over_time & co.) drawn as a time series. */
export const lokiTimeseries = (text: PanelText, size: PanelSize, logql: string, legend: string): TimeseriesPanel =>
  new TimeseriesPanel()
    .title(text.title)
    .description(text.description)
    .datasource(LOKI)
    .span(size.w)
    .height(size.h)
    .unit('short')
    .drawStyle(GraphDrawStyle.Bars)
    .stacking(new StackingConfigBuilder().mode(StackingMode.Normal))
    .fillOpacity(80)
    .targets([new LokiQuery().refId('A').datasource(LOKI).expr(logql).legendFormat(legend)]);

/** A TraceQL search rendered as a table of traces; each trace id opens the trace view. */
export const traceTable = (text: PanelText, size: PanelSize, traceql: string): TablePanel =>
  new TablePanel()
    .title(text.title)
    .description(text.description)
    .datasource(TEMPO)
    .span(size.w)
    .height(size.h)
    .targets([
      new TempoQuery().refId('A').datasource(TEMPO).queryType('traceql').query(traceql).limit(20).tableType(SearchTableType.Traces),
    ]);
