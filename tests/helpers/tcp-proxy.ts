import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of a backend, so a test can take "the network to Postgres
 * (or Redis)" away from one service and give it back: `cut()` stops listening (new connections are
 * refused) and resets every open connection; `restore()` listens again on the same port. The first
 * `restore()` listens on a port the OS assigns.
 */
export class TcpProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private assigned = 0;
  private readonly target: { host: string; port: number };

  constructor(target: { host: string; port: number }) {
    this.target = target;
  }

  /** The port, known once the proxy has listened. */
  get port(): number {
    if (this.assigned === 0) throw new Error('TcpProxy: restore() first');
    return this.assigned;
  }

  /** A URL of the same kind as `backendUrl` pointing at this proxy instead. */
  rewrite(backendUrl: string): string {
    const url = new URL(backendUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  async restore(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const socket of [client, upstream]) {
        this.sockets.add(socket);
        socket.once('close', () => this.sockets.delete(socket));
        socket.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(this.assigned, '127.0.0.1', resolve));
    this.assigned = (server.address() as AddressInfo).port;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    for (const socket of this.sockets) socket.resetAndDestroy();
    this.sockets.clear();
    await closed;
  }
}
