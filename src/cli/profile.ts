/**
 * `npm run profile -- --service api --seconds 30 [--heap]`: profiles a running service through its
 * admin endpoint (docs/profiling.md, "On demand"). Exit codes: 0 written, 1 the service refused or
 * failed (its JSON error is printed), 2 usage error.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseCommandLine } from './usage.ts';
import { profileCommand } from './commands.ts';
import { summarize, topFunctionsTable, type CpuProfile } from '../profiling/cpuprofile.ts';
import { flameGraphSvg } from '../profiling/flamegraph.ts';
import { heapByType, heapTable } from '../profiling/heapsnapshot.ts';

const options = parseCommandLine(profileCommand);

const url = new URL('/admin/profile', options.baseUrl);
url.searchParams.set('type', options.heap ? 'heap' : 'cpu');
if (!options.heap) url.searchParams.set('seconds', String(options.seconds));
process.stderr.write(
  options.heap
    ? `profile: taking a heap snapshot of ${options.service} (${options.baseUrl})...\n`
    : `profile: sampling ${options.service} (${options.baseUrl}) for ${options.seconds} s...\n`,
);

let response: Response;
try {
  response = await fetch(url, { method: 'POST', headers: { authorization: `Bearer ${options.token}` } });
} catch (error) {
  process.stderr.write(
    `profile: ${options.service} is not reachable at ${options.baseUrl}: ${(error as Error).cause ?? (error as Error).message}\n`,
  );
  process.exit(1);
}
const body = await response.text();
if (!response.ok) {
  const hint =
    response.status === 404 && body.includes('heap_snapshot_disabled')
      ? ' (404: heap snapshots are off on the service; start it with HEAP_SNAPSHOT_ENABLED=true, docs/security.md)'
      : response.status === 404
        ? ' (404: the service was started without ADMIN_TOKEN, so its admin endpoints are off)'
        : response.status === 401
          ? ' (401: not the token the service was started with)'
          : '';
  process.stderr.write(`profile: ${options.service} answered ${response.status}${hint}\n${body}\n`);
  process.exit(1);
}

const fileName =
  /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ??
  `${options.service}.${options.heap ? 'heapsnapshot' : 'cpuprofile'}`;
mkdirSync(options.outDir, { recursive: true });
const file = resolve(join(options.outDir, fileName));
writeFileSync(file, body);

if (options.heap) {
  process.stdout.write(`${heapTable(heapByType(body), options.top)}\n\nheap snapshot: ${file} (Chrome DevTools → Memory → Load)\n`);
} else {
  const summary = summarize(JSON.parse(body) as CpuProfile);
  const svg = file.replace(/\.cpuprofile$/, '.svg');
  writeFileSync(svg, flameGraphSvg(summary, `${options.service}: CPU flame graph, ${options.seconds} s (${fileName})`));
  process.stdout.write(
    `${topFunctionsTable(summary, options.top)}\n\nCPU profile: ${file} (Chrome DevTools → Performance, or speedscope)\nflame graph: ${svg}\n`,
  );
}
