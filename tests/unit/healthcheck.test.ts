/**
 * The container healthcheck script, run exactly as compose runs it (`node src/cli/healthcheck.mjs
 * <url>`), against a real HTTP server on loopback.
 */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const SCRIPT = new URL('../../src/cli/healthcheck.mjs', import.meta.url).pathname;

/** Exit code and wall time of one healthcheck run. */
const probe = (...args: string[]): Promise<{ code: number; ms: number }> =>
  new Promise((resolve) => {
    const started = performance.now();
    // No --import of the OTel bootstrap and no type stripping: plain node, as in the container.
    execFile(process.execPath, [SCRIPT, ...args], { timeout: 10_000 }, (error) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, ms: performance.now() - started }),
    );
  });

let server: Server;
let base: string;
/** Requests to /hang are never answered, so only the script's own timeout can end the probe. */
const hanging: Array<() => void> = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    if (request.url === '/ok') response.writeHead(200).end('ok');
    else if (request.url === '/unready') response.writeHead(503).end('not ready');
    else hanging.push(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  for (const release of hanging) release();
  await new Promise((resolve) => server.close(resolve));
});

describe('src/cli/healthcheck.mjs', () => {
  it('exits 0 when the URL answers 200', async () => {
    expect((await probe(`${base}/ok`)).code).toBe(0);
  });

  it('exits non-zero when the URL answers 503', async () => {
    expect((await probe(`${base}/unready`)).code).not.toBe(0);
  });

  it('exits non-zero when nothing listens (connection refused)', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect((await probe(`http://127.0.0.1:${port}/health/ready`)).code).not.toBe(0);
  });

  it('gives up on a server that never answers, within its timeout', async () => {
    const { code, ms } = await probe(`${base}/hang`, '300');
    // Exit 1 is the script's own answer: had its timeout not ended it, the helper would have killed
    // it at 10 s (code -1), however long Node takes to start on this machine.
    expect(code).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(300);
  });
});
