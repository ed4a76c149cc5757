/**
 * Writes grafana/dashboards/<uid>.json from the dashboards-as-code in this folder.
 *
 *   npm run dashboards                      regenerate the JSON files
 *   node grafana/src/generate.ts --check    exit 1 if a committed file differs from the code
 *
 * The JSON files are committed because Grafana provisions them directly (no build step inside
 * docker compose); --check (run by tests/static) keeps them from drifting from the code.
 */
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { businessDashboard } from './business.ts';
import { errorsDashboard } from './errors.ts';
import { pipelineDashboard } from './pipeline.ts';
import { redDashboard } from './red.ts';
import { renderDashboard } from './render.ts';
import { resourceDashboard } from './resource.ts';

/** Every dashboard this repository provisions. */
export const dashboards: ReadonlyArray<() => Dashboard> = [
  redDashboard,
  resourceDashboard,
  businessDashboard,
  pipelineDashboard,
  errorsDashboard,
];

const outputDir = new URL('../dashboards/', import.meta.url);

/** File name -> content for every dashboard. */
export const renderAll = (): Map<string, string> => {
  const files = new Map<string, string>();
  for (const build of dashboards) {
    const dashboard = build();
    if (!dashboard.uid) throw new Error(`dashboard "${dashboard.title}" has no uid`);
    files.set(`${dashboard.uid}.json`, renderDashboard(dashboard));
  }
  return files;
};

const readIfExists = async (path: URL): Promise<string | undefined> => {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
};

/** Names of files that differ from the code, are missing, or are stale (no dashboard builds them). */
export const findDrift = async (files: Map<string, string>): Promise<string[]> => {
  const drift: string[] = [];
  for (const [name, content] of files) {
    if ((await readIfExists(new URL(name, outputDir))) !== content) drift.push(name);
  }
  for (const name of await readdir(outputDir)) {
    if (name.endsWith('.json') && !files.has(name)) drift.push(`${name} (stale: no dashboard builds it)`);
  }
  return drift;
};

const main = async (): Promise<void> => {
  const files = renderAll();
  if (process.argv.includes('--check')) {
    const drift = await findDrift(files);
    if (drift.length > 0) {
      console.error(`grafana/dashboards is out of date (run \`npm run dashboards\`):\n  ${drift.join('\n  ')}`);
      process.exitCode = 1;
      return;
    }
    console.log(`grafana/dashboards matches grafana/src (${files.size} dashboards).`);
    return;
  }
  for (const [name, content] of files) {
    await writeFile(new URL(name, outputDir), content);
    console.log(`wrote ${join('grafana/dashboards', name)}`);
  }
};

// Run only when executed directly (tests import renderAll/findDrift without side effects).
if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
