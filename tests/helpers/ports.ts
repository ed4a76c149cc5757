import { readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/**
 * Free ports, by name, for a child process that needs its port before it starts (a server of the
 * test process itself listens on 0 directly). Only the native e2e stack (scripts/native-stack.sh,
 * tests/e2e) listens on fixed ports, its own.
 *
 * Why not the port the OS assigns to a listen on 0: it is free when handed out, but between closing
 * it and the child binding it the OS may hand the same port to any outgoing connection of the
 * machine (a test's HTTP, Redis or Postgres client takes its local port from that same ephemeral
 * range), and the child then fails with "address already in use". So ports come from below the
 * ephemeral range (`ip_local_port_range`), which the OS never hands out by itself; each is checked
 * by listening on it, and never handed out twice by this process. Where the range leaves no room
 * below it, the OS's own choice is the fallback.
 */
const LOWEST = 20_000;
const handedOut = new Set<number>();

function ephemeralRangeStart(): number {
  try {
    return Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32_768;
  } catch {
    return 32_768;
  }
}
const ABOVE = Math.min(ephemeralRangeStart(), 32_768);

export async function freePorts<K extends string>(...names: K[]): Promise<Record<K, number>> {
  const ports = await Promise.all(names.map(() => freePort()));
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<K, number>;
}

export async function freePort(): Promise<number> {
  if (ABOVE - LOWEST >= 1_000) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const port = LOWEST + Math.floor(Math.random() * (ABOVE - LOWEST));
      if (handedOut.has(port)) continue;
      handedOut.add(port); // before the await: a concurrent call must not pick it meanwhile
      if ((await listenOn(port)) !== undefined) return port;
      handedOut.delete(port);
    }
  }
  const port = await listenOn(0);
  if (port === undefined) throw new Error('no free port on 127.0.0.1');
  handedOut.add(port);
  return port;
}

/** Listens on `port` of 127.0.0.1 and closes again: the port it got, or undefined if it was taken. */
async function listenOn(port: number): Promise<number | undefined> {
  const server = createServer();
  const listening = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => resolve(true));
  });
  if (!listening) return undefined;
  const { port: got } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return got;
}
