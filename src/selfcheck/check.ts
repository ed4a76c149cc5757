/** The backends a stack may or may not run; `--backends` names the ones that exist. */
export const BACKENDS = ['collector', 'prometheus', 'alertmanager', 'tempo', 'loki', 'grafana'] as const;
export type Backend = (typeof BACKENDS)[number];

/**
 * Every row of the report, in report order. `backend` decides whether a row is checked: a row whose
 * backend is not in `--backends` is "not checked", never passed. The probe row belongs to the api.
 */
export const CHECKS = {
  probe: { title: 'probe request → api', backend: 'api' },
  traces: { title: 'traces → Tempo', backend: 'tempo' },
  logs: { title: 'logs → Loki', backend: 'loki' },
  metrics: { title: 'metrics → Prometheus', backend: 'prometheus' },
  'grafana-datasources': { title: 'Grafana data sources', backend: 'grafana' },
  'grafana-dashboards': { title: 'Grafana dashboards', backend: 'grafana' },
  'alert-rules': { title: 'alert rules in Prometheus', backend: 'prometheus' },
  alertmanager: { title: 'Alertmanager', backend: 'alertmanager' },
  'collector-health': { title: 'Collector health', backend: 'collector' },
  'collector-pipeline': { title: 'Collector refused/failed', backend: 'collector' },
} as const satisfies Record<string, { title: string; backend: Backend | 'api' }>;

export type CheckId = keyof typeof CHECKS;
export type CheckStatus = 'pass' | 'fail' | 'not_checked';

/** One row of the report: what was checked, the outcome, and for a failure what to look at. */
export interface CheckResult {
  id: CheckId;
  title: string;
  backend: Backend | 'api';
  status: CheckStatus;
  /** One line: what was seen. */
  detail: string;
  /** Failures only: where to look and what to change. */
  hint?: string;
}

const row = (id: CheckId, status: CheckStatus, detail: string, hint?: string): CheckResult => ({
  id,
  title: CHECKS[id].title,
  backend: CHECKS[id].backend,
  status,
  detail,
  ...(hint ? { hint } : {}),
});

export const pass = (id: CheckId, detail: string): CheckResult => row(id, 'pass', detail);
export const fail = (id: CheckId, detail: string, hint: string): CheckResult => row(id, 'fail', detail, hint);
export const notChecked = (id: CheckId, detail: string): CheckResult => row(id, 'not_checked', detail);

/** Base URL + path without a doubled slash (URLs from flags often end with "/"). */
export function join(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path}`;
}

/** The start of a response body for a detail line: enough to recognise an error, never a page. */
export function snippet(body: string, max = 120): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}
