import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { SCENARIO_NAMES } from '../../src/loadgen/scenario-names.ts';
import { listFiles, readRepoFile, repoPath } from './support/repo.ts';

interface Rule {
  alert?: string;
  expr?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

const alerts = listFiles('prometheus/rules', ['.yml', '.yaml']).flatMap((file) =>
  (parse(readRepoFile(file)) as { groups: Array<{ rules: Rule[] }> }).groups.flatMap((g) => g.rules.filter((r) => r.alert)),
);

describe('every alert has a runbook a person can follow', () => {
  it('finds the alerts', () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10);
  });

  it.each(alerts.map((a) => [a.alert!, a] as const))('%s: severity, summary, description and a runbook with every section', (name, rule) => {
    expect(['critical', 'warning', 'info']).toContain(rule.labels?.severity);
    expect(rule.annotations?.summary).toBeTruthy();
    expect(rule.annotations?.description).toBeTruthy();
    expect(rule.annotations?.runbook_url).toMatch(new RegExp(`/docs/runbooks/${name}\\.md$`));
    const path = repoPath(`docs/runbooks/${name}.md`);
    expect(existsSync(path), path).toBe(true);
    const runbook = readFileSync(path, 'utf8');
    // The expression at the top is the rule's own, so the runbook cannot describe an older alert.
    const shown = /```promql\n([\s\S]*?)```/.exec(runbook)?.[1];
    const words = (text: string | undefined) => text?.split(/\s+/).filter(Boolean).join(' ');
    expect(words(shown), `${name}: the first promql block of the runbook is the alert's expr`).toBe(words(rule.expr));
    for (const section of ['## Symptoms', '## Dashboards', '## Queries', '## Investigation', '## Mitigation', '## To see this alert fire']) {
      expect(runbook, `${name} lacks ${section}`).toContain(section);
    }
    // The "to see it fire" command must be runnable: a real scenario name, or a compose command.
    const fire = runbook.slice(runbook.indexOf('## To see this alert fire'));
    const scenario = /--scenario ([\w-]+)/.exec(fire)?.[1];
    if (scenario) expect(SCENARIO_NAMES).toContain(scenario);
    else expect(fire).toMatch(/docker compose (stop|start)/);
  });
});
