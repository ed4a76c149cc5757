/**
 * Data source references shared by every dashboard. The uids are fixed in
 * grafana/provisioning/datasources/otelkit.yaml; tests/static/datasource-uids.test.ts fails when a
 * dashboard names a uid that is not provisioned.
 */
import type { DataSourceRef } from '@grafana/grafana-foundation-sdk/common';

/** Prometheus: every metric (OTLP from the Collector, plus scraped backend self-metrics). */
export const PROMETHEUS: DataSourceRef = { type: 'prometheus', uid: 'prometheus' };
/** Loki: logs, OTLP from the Collector. */
export const LOKI: DataSourceRef = { type: 'loki', uid: 'loki' };
/** Tempo: traces, OTLP from the Collector. */
export const TEMPO: DataSourceRef = { type: 'tempo', uid: 'tempo' };
/** Pyroscope: continuous CPU and heap profiles, pushed by the services (docs/profiling.md). */
export const PYROSCOPE: DataSourceRef = { type: 'grafana-pyroscope-datasource', uid: 'pyroscope' };
