import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A payments service that approves every charge, but only when the test says so: `arrived(n)`
 * resolves once n charges are waiting, so the test knows its orders are in flight inside the api
 * (an event, not a guess at how long they take); `release()` answers them all and every later one.
 */
export class HeldPayments {
  private readonly held: ServerResponse[] = [];
  private readonly waiters: Array<{ count: number; resolve: () => void }> = [];
  private releasedAll = false;
  private readonly server = createServer((request, response) => this.charge(request, response));

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Resolves once `count` charges are waiting for `release()`. */
  arrived(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push({ count, resolve });
      this.wake();
    });
  }

  get waiting(): number {
    return this.held.length;
  }

  release(): void {
    this.releasedAll = true;
    for (const response of this.held.splice(0)) approve(response);
  }

  async close(): Promise<void> {
    this.release();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private charge(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    request.once('end', () => {
      if (this.releasedAll) return approve(response);
      this.held.push(response);
      this.wake();
    });
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) {
      if (this.held.length < waiter.count) continue;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
  }
}

function approve(response: ServerResponse): void {
  response
    .writeHead(201, { 'content-type': 'application/json' })
    .end(JSON.stringify({ status: 'approved', charge_id: `ch_held_${Date.now()}` }));
}
