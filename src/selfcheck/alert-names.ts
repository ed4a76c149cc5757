import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** The alerts Prometheus should have loaded, as read from the rule files, or why they could not be read. */
export type ExpectedAlerts =
  { names: string[]; files: string[]; error?: undefined } | { names?: undefined; files: string[]; error?: string };

/**
 * Every `alert:` name in `dir/*.yml` (the files Prometheus loads with `rule_files: rules/*.yml`).
 * A missing directory yields no names: then any alerting rule counts (verify run outside the repo).
 */
export function loadExpectedAlerts(dir: string): ExpectedAlerts {
  if (!existsSync(dir)) return { files: [] };
  const files = readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort();
  if (files.length === 0) return { files: [] };
  const names: string[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = parse(readFileSync(join(dir, file), 'utf8'));
    } catch (error) {
      return { files, error: `${join(dir, file)}: ${(error as Error).message.split('\n')[0]}` };
    }
    const groups = (doc as { groups?: Array<{ rules?: Array<{ alert?: unknown }> }> } | null)?.groups ?? [];
    for (const group of groups) for (const rule of group.rules ?? []) if (typeof rule.alert === 'string') names.push(rule.alert);
  }
  return { names: [...new Set(names)], files };
}
