/**
 * Part 4, footprint: memory and CPU of every native-stack process (bench-stack.ts: api, payments,
 * worker, Collector, Prometheus, Alertmanager; Postgres and Redis from scripts/backends.sh), idle and
 * under mixed load at 200 req/s from the kit's load generator (`npm run load`, scenario mixed).
 * Memory is sampled every second from /proc (VmRSS; Postgres as the summed Pss of its processes,
 * which is what its container is charged), CPU is the process's CPU time over the phase's wall time.
 * As scripts/measure-footprint.sh does, the container healthcheck (src/cli/healthcheck.mjs) is
 * run meanwhile and its peak (GNU time %M) is added to each Node service's peak for the comparison
 * with the compose memory limits in docs/topology.md (limit ≥ 1.5 × peak).
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchStack, STACK_PORTS, type StackProcess } from './bench-stack.ts';
import { postmasterPid, redisPid } from './footprint-backends.ts';
import { PhaseSampler, withChildren, type Measured, type PhaseStats } from './proc-stats.ts';
import { ProcessGroup, sleep, tail } from './processes.ts';
import type { BenchOptions, BenchPart } from './report.ts';

const RATE = 200;
const STACK: StackProcess[] = ['api', 'payments', 'worker', 'collector', 'prometheus', 'alertmanager'];
/** Names in docs/topology.md's "Memory limits" table. */
const COMPOSE_NAME: Record<string, string> = { collector: 'otel-collector' };
const NODE_SERVICES = new Set(['api', 'payments', 'worker', 'loadgen']);

export const run: BenchPart = async (options) => {
  const idleMs = options.smoke ? 10_000 : 30_000;
  const loadMs = options.smoke ? 15_000 : 120_000;
  const stack = new BenchStack({ root: options.root, tools: options.tools });
  const loadGroup = new ProcessGroup(join(stack.dir, 'logs'));
  let idle: Record<string, PhaseStats>;
  let load: Record<string, PhaseStats>;
  let healthcheckMiB: number;
  let settleSeconds: number;
  let summary: { achieved_rate?: number; requests?: number; errors?: number; dropped?: number; latency_ms?: { p99: number } } = {};
  try {
    await stack.start();
    const measured: Measured[] = [
      ...STACK.map((name): Measured => ({ name, pids: () => [stack.pid(name)!], memory: 'rss' })),
      { name: 'postgres', pids: () => withChildren(postmasterPid() ?? -1).filter((pid) => pid > 0), memory: 'pss' },
      { name: 'redis', pids: () => [redisPid() ?? -1].filter((pid) => pid > 0), memory: 'rss' },
    ];
    // "Idle" begins once start-up work is over: migrations, JIT, and the worker draining whatever an
    // earlier run left in the shared Redis stream (which keeps it, Postgres and the Collector busy).
    settleSeconds = await settle(measured, options.smoke ? 3000 : 90_000);
    console.log(`[footprint] settled after ${settleSeconds.toFixed(0)} s; idle for ${idleMs / 1000} s`);
    let sampler = new PhaseSampler(measured);
    await sleep(idleMs);
    idle = sampler.stop();

    console.log(`[footprint] mixed load at ${RATE} req/s for ${loadMs / 1000} s`);
    const loadgen = loadGroup.start(
      'loadgen',
      process.execPath,
      [
        '--import',
        './src/instrumentation.ts',
        'src/cli/loadgen.ts',
        '--target',
        `http://127.0.0.1:${STACK_PORTS.api}`,
        '--payments-url',
        `http://127.0.0.1:${STACK_PORTS.payments}`,
        '--rate',
        String(RATE),
        '--duration',
        `${loadMs / 1000}s`,
        '--scenario',
        'mixed',
        '--json',
      ],
      { cwd: options.root, env: stack.nodeEnv() },
    );
    sampler = new PhaseSampler([...measured, { name: 'loadgen', pids: () => [loadgen.pid], memory: 'rss' }]);
    await sleep(Math.min(5000, loadMs / 3));
    healthcheckMiB = healthcheckPeakMiB(options, `http://127.0.0.1:${STACK_PORTS.api}/health/ready`);
    await new Promise((resolve) => (loadgen.child.exitCode !== null ? resolve(null) : loadgen.child.once('exit', resolve)));
    load = sampler.stop();
    const output = readFileSync(loadgen.log, 'utf8');
    try {
      summary = JSON.parse(output.slice(output.indexOf('{\n'), output.lastIndexOf('\n}') + 2));
    } catch {
      console.log(`[footprint] loadgen gave no JSON summary:\n${tail(loadgen.log)}`);
    }
  } finally {
    await loadGroup.stop();
    await stack.stop();
  }
  return report(options, idle!, load!, healthcheckMiB!, summary, { idleMs, loadMs, settleSeconds: settleSeconds! });
};

/** Waits (at most `maxMs`) until the stack's processes together use under 15% of a core over 3 s. */
async function settle(measured: Measured[], maxMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < maxMs) {
    const sampler = new PhaseSampler(measured);
    await sleep(3000);
    const total = Object.values(sampler.stop()).reduce((sum, p) => sum + p.cpuPercent, 0);
    if (total < 15) break;
  }
  return (performance.now() - started) / 1000;
}

/** Peak RSS of one run of the container healthcheck (GNU time's %M, in KiB, on stderr), whatever its exit code. */
function healthcheckPeakMiB(options: BenchOptions, url: string): number {
  const run = spawnSync('/usr/bin/time', ['-f', 'maxrss %M', process.execPath, 'src/cli/healthcheck.mjs', url], {
    cwd: options.root,
    encoding: 'utf8',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  return Number(/maxrss (\d+)/.exec(run.stderr ?? '')?.[1] ?? 0) / 1024;
}

/** mem_limit per service from docs/topology.md's "Memory limits" table, in MiB. */
function composeLimits(root: string): Map<string, number> {
  const limits = new Map<string, number>();
  const text = readFileSync(join(root, 'docs/topology.md'), 'utf8');
  for (const [, name, value, unit] of text.matchAll(/^\|\s*`([a-z-]+)`\s*\|[^|]*\|\s*(\d+)([mg])\s*\|/gm)) {
    limits.set(name!, Number(value) * (unit === 'g' ? 1024 : 1));
  }
  return limits;
}

/** 1.5 × peak rounded up to 32 MiB: the rule docs/topology.md and measure-footprint.sh use. */
const suggestedLimit = (peakMiB: number) => Math.ceil((peakMiB * 1.5) / 32) * 32;

function report(
  options: BenchOptions,
  idle: Record<string, PhaseStats>,
  load: Record<string, PhaseStats>,
  healthcheckMiB: number,
  summary: { achieved_rate?: number; requests?: number; errors?: number; dropped?: number; latency_ms?: { p99: number } },
  phases: { idleMs: number; loadMs: number; settleSeconds: number },
) {
  const limits = composeLimits(options.root);
  const numbers: Record<string, unknown> = {
    settle_s: Math.round(phases.settleSeconds),
    idle_s: phases.idleMs / 1000,
    load_s: phases.loadMs / 1000,
    load_rate: RATE,
    loadgen_achieved_rate: summary.achieved_rate ?? 0,
    loadgen_requests: summary.requests ?? 0,
    loadgen_errors: summary.errors ?? 0,
    loadgen_dropped: summary.dropped ?? 0,
    loadgen_p99_ms: summary.latency_ms?.p99 ?? 0,
    healthcheck_peak_mib: Math.round(healthcheckMiB),
  };
  const rows: string[] = [];
  const limitRows: string[] = [];
  let idleCpu = 0;
  let loadCpu = 0;
  for (const name of Object.keys(load)) {
    const i = idle[name];
    const l = load[name]!;
    if (i) idleCpu += i.cpuPercent;
    loadCpu += l.cpuPercent;
    const fmt = (p: PhaseStats | undefined) =>
      p ? `${p.peakMiB.toFixed(0)} | ${p.meanMiB.toFixed(0)} | ${p.cpuPercent.toFixed(1)}%` : '- | - | -';
    rows.push(`| ${name} | ${fmt(i)} | ${fmt(l)} |`);
    for (const [phase, stats] of [
      ['idle', i],
      ['load', l],
    ] as const) {
      if (!stats) continue;
      numbers[`${name}_${phase}_peak_mib`] = Math.round(stats.peakMiB);
      numbers[`${name}_${phase}_mean_mib`] = Math.round(stats.meanMiB);
      numbers[`${name}_${phase}_cpu_percent`] = Math.round(stats.cpuPercent * 10) / 10;
    }
    const composeName = COMPOSE_NAME[name] ?? name;
    const limit = limits.get(composeName);
    if (limit === undefined) continue;
    const container = l.peakMiB + (NODE_SERVICES.has(name) ? healthcheckMiB : 0);
    const needed = suggestedLimit(container);
    const fits = limit >= container * 1.5;
    numbers[`${name}_compose_limit_mib`] = limit;
    numbers[`${name}_limit_fits_200rps`] = fits ? 1 : 0;
    limitRows.push(
      `| \`${composeName}\` | ${container.toFixed(0)} | ${(container * 1.5).toFixed(0)} | ${limit} | ${fits ? 'yes' : `NO: raise to ${needed}m`} |`,
    );
  }
  numbers.total_idle_cpu_percent = Math.round(idleCpu);
  numbers.total_load_cpu_percent = Math.round(loadCpu);
  const markdown = [
    `Every native-stack process, idle for ${phases.idleMs / 1000} s (once the stack had settled: under 15% of a core in all,`,
    `${phases.settleSeconds.toFixed(0)} s after start-up), then under mixed load at ${RATE} req/s (\`npm run load -- --scenario mixed\`)`,
    `for ${phases.loadMs / 1000} s: ${summary.requests ?? '?'} requests, achieved ${summary.achieved_rate ?? '?'} req/s, ${summary.errors ?? '?'} errors,`,
    `${summary.dropped ?? '?'} dropped arrivals, p99 ${summary.latency_ms?.p99?.toFixed(0) ?? '?'} ms. Memory sampled every second from /proc (RSS;`,
    'Postgres: summed Pss of its processes); CPU = CPU time / wall time, in % of one core (the machine has 2 cores).',
    '',
    '| process | idle: peak MiB | mean MiB | CPU | load: peak MiB | mean MiB | CPU |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows,
    `| all | | | ${idleCpu.toFixed(0)}% | | | ${loadCpu.toFixed(0)}% |`,
    '',
    `Compose memory limits (docs/topology.md, sized at 1.5 × the peak at 50 req/s) against the peak at ${RATE} req/s; a Node`,
    `service's container peak includes its healthcheck process (${healthcheckMiB.toFixed(0)} MiB, measured in this run):`,
    '',
    `| service | container peak at ${RATE} req/s (MiB) | 1.5 × peak | mem_limit (MiB) | limit still ≥ 1.5 × peak? |`,
    '| --- | ---: | ---: | ---: | --- |',
    ...limitRows,
  ].join('\n');
  return { part: 'footprint', title: `Footprint: idle and at ${RATE} req/s`, markdown, numbers };
}
