import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT } from './native-stack.ts';

export interface AlertRule {
  alert: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
}

/** Every alerting rule of prometheus/rules/*.yml, read from the files Prometheus loads (no copies). */
export function alertRules(): AlertRule[] {
  const dir = join(ROOT, 'prometheus/rules');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.yml'))
    .flatMap((file) => (parse(readFileSync(join(dir, file), 'utf8')) as { groups: Array<{ rules: AlertRule[] }> }).groups)
    .flatMap((group) => group.rules)
    .filter((rule) => rule.alert !== undefined);
}

export function alertRule(name: string): AlertRule {
  const rule = alertRules().find((r) => r.alert === name);
  if (!rule) throw new Error(`no alerting rule ${name} in prometheus/rules`);
  return rule;
}

/** A rule's `for:` ("2m", "30s", "1h"; none is 0) in milliseconds. */
export function forMs(rule: AlertRule): number {
  const match = /^(\d+)(s|m|h)$/.exec(rule.for ?? '0s');
  if (!match) throw new Error(`${rule.alert}: unexpected for: ${rule.for}`);
  return Number(match[1]) * { s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as 's' | 'm' | 'h'];
}
