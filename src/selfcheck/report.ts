import Table from 'cli-table3';
import type { CheckResult, CheckStatus } from './check.ts';
import type { Report } from './runner.ts';

const LABEL: Record<CheckStatus, string> = { pass: 'pass', fail: 'FAIL', not_checked: 'not checked' };

/** 0 only when at least one check ran and every check that ran passed; "not checked" never passes. */
export function exitCode(results: CheckResult[]): 0 | 1 {
  const checked = results.filter((r) => r.status !== 'not_checked');
  return checked.length > 0 && checked.every((r) => r.status === 'pass') ? 0 : 1;
}

/** The report for people: one row per check, then the fix hint of every failure. */
export function renderTable(report: Report): string {
  const style = { head: [], border: [] }; // no colours: reports end up in CI logs and tickets
  const table = new Table({ head: ['check', 'result', 'detail'], style });
  for (const r of report.results) table.push([r.title, LABEL[r.status], r.detail]);
  const failed = report.results.filter((r) => r.status === 'fail');
  const checked = report.results.filter((r) => r.status !== 'not_checked').length;
  const lines = [
    report.probe
      ? `probe: GET ${report.probe.url}/api/products  tenant ${report.probe.tenant}  trace ${report.probe.traceId}  request ${report.probe.requestId}`
      : 'probe: none',
    table.toString(),
  ];
  if (failed.length > 0) {
    lines.push('', 'How to fix:');
    // Rows failing for one reason (e.g. both Collector rows when it is down) share one hint line.
    const byHint = new Map<string, string[]>();
    for (const r of failed)
      byHint.set(r.hint ?? 'see docs/selfcheck.md', [...(byHint.get(r.hint ?? 'see docs/selfcheck.md') ?? []), r.title]);
    for (const [hint, titles] of byHint) lines.push(`- ${titles.join(', ')}: ${hint}`);
  }
  const verdict =
    checked === 0
      ? 'FAILED: nothing was checked (see --backends)'
      : failed.length === 0
        ? `OK: all ${checked} checks passed`
        : `FAILED: ${failed.length} of ${checked} checks failed`;
  lines.push('', `${verdict}; ${report.results.length - checked} not checked. Details: docs/selfcheck.md`);
  return lines.join('\n');
}

/** The same report for machines (`--json`). */
export function renderJson(report: Report): string {
  return JSON.stringify(
    {
      ok: exitCode(report.results) === 0,
      backends: report.backends,
      timeout_ms: report.timeoutMs,
      probe: report.probe
        ? {
            url: `${report.probe.url.replace(/\/+$/, '')}/api/products`,
            tenant: report.probe.tenant,
            trace_id: report.probe.traceId,
            request_id: report.probe.requestId,
          }
        : null,
      checks: report.results.map((r) => ({
        id: r.id,
        title: r.title,
        backend: r.backend,
        status: r.status,
        detail: r.detail,
        ...(r.hint ? { hint: r.hint } : {}),
      })),
    },
    null,
    2,
  );
}
