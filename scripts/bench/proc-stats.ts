/**
 * Memory and CPU of running processes, read from /proc (Linux): what `ps` and `top` show, without
 * spawning them once a second.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of the utime/stime fields in /proc/<pid>/stat (100 on every common kernel). */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const read = (path: string): string | undefined => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined; // the process has exited
  }
};

/** A field of /proc/<pid>/status in KiB (VmRSS: resident now, VmHWM: the kernel's high-water mark). */
export function statusKib(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(read(`/proc/${pid}/status`) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** Proportional set size in KiB: shared pages split between the processes sharing them. */
export function pssKib(pid: number): number | undefined {
  const match = /^Pss:\s+(\d+) kB/m.exec(read(`/proc/${pid}/smaps_rollup`) ?? '');
  return match ? Number(match[1]) : undefined;
}

/** CPU seconds (user + system) the process has used since it started. */
export function cpuSeconds(pid: number): number | undefined {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return undefined;
  // The command name (field 2) may contain spaces and parentheses: count fields after the last ')'.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15)
}

/** The pid and its direct children (Postgres: the postmaster and its backends). */
export function withChildren(pid: number): number[] {
  const pids = [pid];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat && Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid) pids.push(Number(entry));
  }
  return pids;
}

/** How one process (or group of processes) is measured. */
export interface Measured {
  name: string;
  /** The pids to sum; called at every sample, so a group can gain and lose members. */
  pids: () => number[];
  /** Pss for a group of processes sharing memory (Postgres), RSS otherwise. */
  memory: 'rss' | 'pss';
}

export interface PhaseStats {
  /** Highest sampled memory (MiB). */
  peakMiB: number;
  meanMiB: number;
  /** CPU time over wall time of the phase, in % of one core. */
  cpuPercent: number;
}

/**
 * Samples memory and CPU every `intervalMs` over a phase. CPU of a group sums the members present
 * at its start (Postgres keeps its pooled backends for the whole run), up to their last reading.
 */
export class PhaseSampler {
  private readonly memory = new Map<string, number[]>();
  private readonly cpuStart = new Map<string, Map<number, number>>();
  /** The latest CPU reading per process, for members that exit before the phase ends. */
  private readonly cpuLatest = new Map<string, Map<number, number>>();
  private readonly timer: NodeJS.Timeout;
  private readonly started = performance.now();
  private readonly processes: Measured[];

  constructor(processes: Measured[], intervalMs = 1000) {
    this.processes = processes;
    for (const p of processes) this.cpuStart.set(p.name, cpuOf(p));
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
  }

  private sample(): void {
    for (const p of this.processes) {
      const latest = this.cpuLatest.get(p.name) ?? new Map<number, number>();
      for (const [pid, seconds] of cpuOf(p)) latest.set(pid, seconds);
      this.cpuLatest.set(p.name, latest);
      const kib = p.pids().reduce((sum, pid) => sum + ((p.memory === 'pss' ? pssKib(pid) : statusKib(pid, 'VmRSS')) ?? 0), 0);
      if (kib > 0) this.memory.set(p.name, [...(this.memory.get(p.name) ?? []), kib / 1024]);
    }
  }

  /** Stops sampling; per process: peak and mean memory, mean CPU over the phase. */
  stop(): Record<string, PhaseStats> {
    clearInterval(this.timer);
    this.sample();
    const seconds = (performance.now() - this.started) / 1000;
    const result: Record<string, PhaseStats> = {};
    for (const p of this.processes) {
      const samples = this.memory.get(p.name) ?? [];
      const start = this.cpuStart.get(p.name)!;
      let cpu = 0;
      for (const [pid, end] of this.cpuLatest.get(p.name) ?? []) if (start.has(pid)) cpu += end - start.get(pid)!;
      result[p.name] = {
        peakMiB: samples.length ? Math.max(...samples) : 0,
        meanMiB: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : 0,
        cpuPercent: (cpu / seconds) * 100,
      };
    }
    return result;
  }
}

function cpuOf(p: Measured): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const pid of p.pids()) {
    const seconds = cpuSeconds(pid);
    if (seconds !== undefined) cpu.set(pid, seconds);
  }
  return cpu;
}
