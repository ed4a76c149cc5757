/**
 * `npm run bench`: the kit's performance measurements, one part after the other, each printed as
 * Markdown ready for docs/performance.md, with the machine they ran on and how long each took.
 *
 *   npm run bench -- [--parts overhead,collector,freshness,footprint] [--smoke] [--json <file>]
 *
 * A part is the module ./<part>.ts exporting `run` (the contract is in ./report.ts). --smoke runs each
 * part briefly, only to prove it still produces numbers (the `bench` vitest project does that in CI).
 * Needs Postgres and Redis (scripts/backends.sh start) and the Go tools (scripts/build-tools.sh).
 * Run it alone on the machine: the numbers are only as quiet as the machine is.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { cpus, availableParallelism, loadavg, totalmem, release } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions, BenchPart, PartReport } from './report.ts';
import { parseCommandLine } from '../../src/cli/usage.ts';
import { benchCommand } from './args.ts';

function fail(message: string, code: number): never {
  console.error(`bench: ${message}`);
  process.exit(code);
}

/** The facts that make two runs comparable (or not): printed above the tables and kept in the JSON. */
function machineFacts() {
  const [load1 = 0, load5 = 0, load15 = 0] = loadavg();
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart: { load1, load5, load15 },
  };
}

/** Fails before anything runs if a requested part has no module: a missing part is never skipped. */
function partModules(parts: string[]): Map<string, URL> {
  const modules = new Map(parts.map((part) => [part, new URL(`./${part}.ts`, import.meta.url)]));
  const missing = [...modules].filter(([, url]) => !existsSync(url));
  if (missing.length > 0) {
    fail(`no module for part(s) ${missing.map(([part, url]) => `${part} (${fileURLToPath(url)})`).join(', ')}`, 1);
  }
  return modules;
}

async function loadPart(part: string, url: URL): Promise<BenchPart> {
  const module = (await import(url.href)) as { run?: unknown };
  if (typeof module.run !== 'function') throw new Error(`scripts/bench/${part}.ts does not export run(options)`);
  return module.run as BenchPart;
}

/** Every leaf of `numbers` must be a finite number: NaN or a string there means a broken measurement. */
function badNumbers(value: unknown, path: string): string[] {
  if (typeof value === 'number') return Number.isFinite(value) ? [] : [`${path} = ${value}`];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, v]) => badNumbers(v, `${path}.${key}`));
  return [`${path} = ${JSON.stringify(value)} (not a number)`];
}

const options = parseCommandLine(benchCommand);
const modules = partModules(options.parts);
const root = fileURLToPath(new URL('../../', import.meta.url));
const tools: Record<string, string> = Object.fromEntries(
  execFileSync(`${root}scripts/build-tools.sh`, ['--print-env'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    .trim()
    .split('\n')
    .map((line) => {
      const at = line.indexOf('=');
      return [line.slice(0, at), line.slice(at + 1)];
    }),
);
const machine = machineFacts();
const benchOptions: BenchOptions = { smoke: options.smoke, root, tools };

const header = [
  `# npm run bench${options.smoke ? ' --smoke' : ''}`,
  '',
  `- machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB, Linux ${machine.kernel}`,
  `- node ${machine.node}, ${machine.date}`,
  `- load average at start: ${[machine.loadAverageAtStart.load1, machine.loadAverageAtStart.load5, machine.loadAverageAtStart.load15].map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min)`,
  `- parts: ${options.parts.join(', ')}`,
];
console.log(header.join('\n'));

const reports: Array<PartReport & { durationSeconds: number }> = [];
const failures: Array<{ part: string; error: string; durationSeconds: number }> = [];
for (const [part, url] of modules) {
  console.log(`\n==> ${part}`);
  const started = performance.now();
  try {
    const report = await (await loadPart(part, url))(benchOptions);
    const durationSeconds = (performance.now() - started) / 1000;
    const bad = badNumbers(report.numbers, 'numbers');
    if (Object.keys(report.numbers ?? {}).length === 0) bad.push('numbers is empty');
    if (bad.length > 0) throw new Error(`part ${part} returned unusable numbers: ${bad.slice(0, 10).join('; ')}`);
    reports.push({ ...report, durationSeconds });
    console.log(`\n## ${report.title}\n\n${report.markdown}\n\n_${part}: ${durationSeconds.toFixed(0)} s_`);
  } catch (error) {
    const durationSeconds = (performance.now() - started) / 1000;
    failures.push({ part, error: (error as Error).stack ?? String(error), durationSeconds });
    console.error(`\nbench: part ${part} failed after ${durationSeconds.toFixed(0)} s: ${(error as Error).stack ?? String(error)}`);
  }
}

console.log('\n==> durations');
for (const r of [...reports, ...failures]) {
  console.log(`  ${r.part.padEnd(10)} ${r.durationSeconds.toFixed(0).padStart(5)} s${'error' in r ? '  FAILED' : ''}`);
}
if (options.json) {
  const parts = Object.fromEntries(reports.map((r) => [r.part, r]));
  writeFileSync(options.json, `${JSON.stringify({ machine, smoke: options.smoke, parts, failures }, null, 2)}\n`);
  console.log(`JSON: ${resolve(options.json)}`);
}
process.exit(failures.length > 0 ? 1 : 0);
