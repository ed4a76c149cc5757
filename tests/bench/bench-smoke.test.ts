import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { REPO_ROOT } from '../helpers/service-process.ts';

/** Every part `npm run bench` runs by default: a part that is missing or measures nothing fails here. */
const PARTS = ['overhead', 'collector', 'freshness', 'footprint'];

interface BenchJson {
  parts: Record<string, { numbers: Record<string, unknown>; durationSeconds: number }>;
  failures: Array<{ part: string; error: string }>;
}

/** Every leaf of a part's `numbers`, with its path. */
function leaves(value: unknown, path = 'numbers'): Array<[string, unknown]> {
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([key, v]) => leaves(v, `${path}.${key}`));
  return [[path, value]];
}

function runBench(jsonFile: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['run', 'bench', '--', '--smoke', '--json', jsonFile], {
      cwd: REPO_ROOT,
      // The test's own Node first on PATH, so `npm run` starts the benchmark with Node 24 too; the test
      // database and Redis db, which the project's global setup has just emptied (a fresh shop).
      env: {
        ...process.env,
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        DATABASE_URL: TEST_DATABASE_URL,
        REDIS_URL: TEST_REDIS_URL,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output: output.join('') }));
  });
}

describe('npm run bench -- --smoke', () => {
  const dir = mkdtempSync(join(tmpdir(), 'otelkit-bench-smoke-'));
  let run: { code: number | null; output: string };
  let json: BenchJson;

  const tail = () => run.output.split('\n').slice(-60).join('\n');

  beforeAll(async () => {
    run = await runBench(join(dir, 'bench.json'));
    try {
      json = JSON.parse(readFileSync(join(dir, 'bench.json'), 'utf8')) as BenchJson;
    } catch {
      throw new Error(`npm run bench exited ${run.code} without its JSON report:\n${tail()}`);
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('runs every part and exits 0', () => {
    expect(json.failures, tail()).toEqual([]);
    expect(Object.keys(json.parts).sort(), tail()).toEqual([...PARTS].sort());
    expect(run.code, tail()).toBe(0);
  });

  it.each(PARTS)('part %s reports numbers: every one finite, at least one positive', (part) => {
    const numbers = leaves(json.parts[part]?.numbers ?? {});
    expect(numbers.length, `${part} reported no numbers`).toBeGreaterThan(0);
    expect(numbers.filter(([, v]) => typeof v !== 'number' || !Number.isFinite(v))).toEqual([]);
    expect(numbers.some(([, v]) => (v as number) > 0)).toBe(true);
  });

  it.each(['cacheHit', 'checkout'])('overhead, route %s: every mode has a throughput, latencies and a CPU per request', (route) => {
    const summary = json.parts.overhead?.numbers[route] as { openRate: number; modes: Record<string, Record<string, number>> };
    expect(summary.openRate).toBeGreaterThan(0);
    for (const mode of ['on', 'disabled', 'bare']) {
      const m = summary.modes[mode]!;
      for (const key of ['reqPerSec', 'keptPct', 'saturationApiCpuUsPerReq', 'p50Ms', 'p99Ms', 'apiCpuUsPerReq']) {
        expect(m[key], `${route}.${mode}.${key}`).toBeGreaterThan(0);
      }
    }
  });
});
