import net from 'node:net';

import type { PoolReading } from '../../telemetry/db-pool-metrics.ts';

/** postgres.js's `socket` option (documented in its README, absent from its typings). */
type SocketFactory = (options: { host: string[]; port: number[]; path?: string | false }) => net.Socket;

/**
 * The pool's state from what postgres.js really does. postgres.js keeps its connection queues
 * (open, busy, full, reserved, closed) private, so:
 *
 * - open connections are counted at the socket: postgres.js opens every connection through the
 *   `socket` option (its documented hook for custom sockets), we hand it a plain TCP socket and
 *   count those not yet destroyed (the count survives the TLS upgrade, which replaces listeners);
 * - used = operations in flight through the wrapper, up to the open connections: postgres.js gives a
 *   new operation an idle connection, or opens one, before it pipelines onto a busy one, so up to the
 *   pool size every operation holds its own connection (a transaction holds one throughout);
 * - pending = operations beyond the pool size: they wait in postgres.js's queue or behind another
 *   statement on a busy connection;
 * - idle = open − used.
 */
export class PoolState {
  private readonly sockets = new Set<net.Socket>();
  private inFlight = 0;
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  /**
   * For postgres.js's `socket` option. The socket connects while postgres.js already writes to it
   * (Node buffers writes until then). Only the first host of the URL is used: our URLs name one.
   */
  readonly socket: SocketFactory = (options) => {
    const host = options.host[0] ?? 'localhost';
    const port = options.port[0] ?? 5432;
    const socket = options.path ? net.connect(options.path) : net.connect(port, host);
    // postgres.js names the server in its connection errors from these two fields.
    Object.assign(socket, { host, port });
    this.prune();
    this.sockets.add(socket);
    return socket;
  };

  /** Counts `fn` as one operation holding (or waiting for) a connection while it runs. */
  async hold<T>(fn: () => Promise<T>): Promise<T> {
    this.inFlight++;
    try {
      return await fn();
    } finally {
      this.inFlight--;
    }
  }

  read(): PoolReading {
    this.prune();
    const open = this.sockets.size;
    const used = Math.min(this.inFlight, open, this.max);
    return { used, idle: open - used, pending: Math.max(0, this.inFlight - this.max) };
  }

  private prune(): void {
    for (const socket of this.sockets) if (socket.destroyed) this.sockets.delete(socket);
  }
}
