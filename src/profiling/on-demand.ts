import { Session } from 'node:inspector/promises';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { getHeapSnapshot } from 'node:v8';
import type { CpuProfile } from './cpuprofile.ts';

/** The longest CPU profile the admin endpoint takes: a forgotten `--seconds 3600` cannot pin a sampler on for an hour. */
export const MAX_PROFILE_SECONDS = 60;

/** 1 ms between samples: fine enough for a profile of a few seconds, ~1-2% CPU while it runs. */
const SAMPLING_INTERVAL_MICROS = 1_000;

export class ProfilerBusyError extends Error {
  override name = 'ProfilerBusyError';
}

/**
 * The running process profiling itself on request (POST /admin/profile, src/http/routes/profiling.ts):
 * a CPU profile through an in-process node:inspector session (no --inspect port, no restart), or a
 * heap snapshot. One at a time: a second request while one runs is refused, never queued, so the
 * endpoint cannot stack samplers or snapshots on a struggling service.
 */
export class OnDemandProfiler {
  private running: string | undefined;

  /** What is running now (`cpu` or `heap`), if anything. */
  get busy(): string | undefined {
    return this.running;
  }

  /** Samples every thread-of-JavaScript stack for `seconds` and returns the V8 `.cpuprofile`. */
  async cpuProfile(seconds: number): Promise<CpuProfile> {
    const release = this.claim('cpu');
    const session = new Session();
    try {
      session.connect();
      await session.post('Profiler.enable');
      await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_INTERVAL_MICROS });
      await session.post('Profiler.start');
      await sleep(seconds * 1000);
      const { profile } = await session.post('Profiler.stop');
      return profile as CpuProfile;
    } finally {
      await session.post('Profiler.disable').catch(() => {});
      session.disconnect();
      release();
    }
  }

  /**
   * A heap snapshot as a stream (V8's `.heapsnapshot` JSON). Writing it stops the event loop for as
   * long as V8 walks the heap (about a second per 100 MB), which is why it is on demand only.
   */
  heapSnapshot(): Readable {
    const release = this.claim('heap');
    try {
      const stream = getHeapSnapshot();
      stream.once('close', release);
      return stream;
    } catch (error) {
      release();
      throw error;
    }
  }

  private claim(kind: string): () => void {
    if (this.running !== undefined) throw new ProfilerBusyError(`a ${this.running} profile is already being taken`);
    this.running = kind;
    return () => {
      this.running = undefined;
    };
  }
}
