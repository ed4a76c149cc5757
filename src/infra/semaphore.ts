/**
 * A counting semaphore: at most `limit` tasks run at once, the rest wait in arrival order.
 * `active` and `waiting` are public so that tests and gauges can observe the bound being kept.
 */
export class Semaphore {
  readonly limit: number;
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`semaphore limit must be a positive integer, got ${limit}`);
    this.limit = limit;
  }

  get active(): number {
    return this.running;
  }

  get waiting(): number {
    return this.queue.length;
  }

  /**
   * Runs `task` once a slot is free. A free slot is taken synchronously (before `run` returns), so a
   * caller that starts N tasks in one tick can observe `active`/`waiting` right after.
   */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running < this.limit) this.running++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    try {
      return await task();
    } finally {
      // The slot passes straight to the next waiter (running stays the same), so no newcomer can
      // overtake the queue between the release and the waiter's resumption.
      const next = this.queue.shift();
      if (next) next();
      else this.running--;
    }
  }
}
