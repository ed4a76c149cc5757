import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, freePorts } from '../helpers/ports.ts';

const ephemeralStart = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);

describe('free ports for child processes (tests/helpers/ports.ts)', () => {
  it('come from below the range the OS hands to outgoing connections, so no connection can take one meanwhile', async () => {
    const ports = Object.values(await freePorts('a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'));
    if (ephemeralStart - 20_000 >= 1_000) for (const port of ports) expect(port).toBeLessThan(ephemeralStart);
  });

  it('are never handed out twice by one process', async () => {
    const ports = await Promise.all(Array.from({ length: 200 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('are free: a child can listen on each', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});
