import { createServer, type AddressInfo } from 'node:net';

/**
 * Ports the OS assigns, by name: each is listened on with port 0 and closed again, so it is free now
 * and no other test (or a second run of the suite on this machine) was handed it. For a child process
 * that needs its port before it starts; a server of the test process itself listens on 0 directly.
 * Only the native e2e stack (scripts/native-stack.sh, tests/e2e) listens on fixed ports, its own.
 */
export async function freePorts<K extends string>(...names: K[]): Promise<Record<K, number>> {
  const ports = await Promise.all(names.map(() => freePort()));
  return Object.fromEntries(names.map((name, i) => [name, ports[i]])) as Record<K, number>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
