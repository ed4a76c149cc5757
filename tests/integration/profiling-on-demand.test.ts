/**
 * On-demand profiling of a running service (`npm run profile`, POST /admin/profile): a real api
 * process profiled while it serves requests, through the real command-line client. The profiles are
 * short (2 s) on purpose; the bounds, the token and the one-at-a-time rule are checked on the wire.
 */
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';

import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CpuProfile } from '../../src/profiling/cpuprofile.ts';
import { TEST_DATABASE_URL, TEST_REDIS_URL } from '../helpers/backends.ts';
import { freePorts } from '../helpers/ports.ts';
import { REPO_ROOT, ServiceProcess, waitForHttp } from '../helpers/service-process.ts';
import { call } from '../helpers/shop-client.ts';
import { tempDir } from '../helpers/temp-dirs.ts';

const TOKEN = 'on-demand-profile-token';
let API: string;
let NO_TOKEN_API: string;
const out = tempDir('otelkit-profile-');
const started: ServiceProcess[] = [];
const run = promisify(execFile);

beforeAll(async () => {
  const ports = await freePorts('api', 'noToken');
  API = `http://127.0.0.1:${ports.api}`;
  NO_TOKEN_API = `http://127.0.0.1:${ports.noToken}`;
  const api = new ServiceProcess('api', {
    DATABASE_URL: TEST_DATABASE_URL,
    REDIS_URL: TEST_REDIS_URL,
    PORT: String(ports.api),
    ADMIN_TOKEN: TOKEN,
    // Heap snapshots are off by default (they dump every secret in memory): switched on for the test.
    HEAP_SNAPSHOT_ENABLED: 'true',
  });
  // payments needs no backends: the quickest service to show the endpoint is off without a token.
  const withoutToken = new ServiceProcess('payments', { PORT: String(ports.noToken) });
  started.push(api.start(), withoutToken.start());
  await Promise.all([waitForHttp(`${API}/health/ready`, api), waitForHttp(`${NO_TOKEN_API}/health/ready`, withoutToken)]);
});
afterAll(async () => {
  await Promise.all(started.map((s) => s.stop('SIGKILL').catch(() => {})));
  rmSync(out, { recursive: true, force: true });
});

/** POST /admin/profile with `token` as bearer token ('' sends no authorization header). */
const profileRequest = (query: string, token = TOKEN, base = API) =>
  fetch(`${base}/admin/profile?${query}`, { method: 'POST', headers: token === '' ? {} : { authorization: `Bearer ${token}` } });

/** `npm run profile -- …` as a user runs it (the script behind it, run by the same Node). */
const profileCli = (...args: string[]) =>
  run(process.execPath, ['src/cli/profile.ts', '--service', 'api', '--url', API, '--out', out, ...args], {
    cwd: REPO_ROOT,
    env: { PATH: process.env.PATH, ADMIN_TOKEN: TOKEN },
  });

/** Cache-hit requests, 4 at a time, until `until` resolves. */
async function trafficUntil<T>(until: Promise<T>): Promise<T> {
  let done = false;
  const result = until.finally(() => (done = true));
  const workers = Array.from({ length: 4 }, async () => {
    while (!done) expect((await call(API, 'GET', '/api/products')).status).toBe(200);
  });
  await Promise.all([result, ...workers]);
  return result;
}

describe('npm run profile (on-demand CPU profile and heap snapshot)', () => {
  it('profiles the running api while it serves requests: .cpuprofile with our route handler, flame graph, top list', async () => {
    const cli = profileCli('--seconds', '2');
    const { stdout } = await trafficUntil(cli);
    const files = readdirSync(out);
    const profileFile = files.find((f) => /^api-.*\.cpuprofile$/.test(f));
    expect(profileFile, files.join(', ')).toBeDefined();
    const profile = JSON.parse(readFileSync(join(out, profileFile!), 'utf8')) as CpuProfile;
    expect(profile.nodes.length).toBeGreaterThan(10);
    expect(profile.samples.length).toBe(profile.timeDeltas.length);
    expect((profile.endTime - profile.startTime) / 1e6).toBeGreaterThanOrEqual(1.9);
    // The GET /api/products handler (an arrow function in our routes module) was on the CPU.
    const handler = profile.nodes.filter((n) => n.callFrame.url.endsWith('src/http/routes/products.ts'));
    expect(handler.length).toBeGreaterThan(0);
    const sampled = new Set(profile.samples);
    expect(profile.nodes.some((n) => sampled.has(n.id) && n.callFrame.url.includes('/src/'))).toBe(true);

    const svg = readFileSync(join(out, profileFile!.replace(/\.cpuprofile$/, '.svg')), 'utf8');
    expect(svg).toMatch(/^<\?xml/);
    expect(svg).toContain('<svg');
    expect(svg).toContain('src/http/routes/products.ts');

    expect(stdout).toMatch(/busy \d+ ms of \d+ ms/);
    expect(stdout).toMatch(/self ms +self +total ms +function/);
    expect(stdout).toContain(`CPU profile: ${join(out, profileFile!)}`);
    // The top list names functions with their files, ours relative to the service's directory.
    expect(stdout).toMatch(/\d+\.\d% .*(src\/|node:|\(garbage collector\)|\(program\))/);
  });

  it('takes one profile at a time: of two requested together, one is taken and the other refused with 409 at once, never queued', async () => {
    // Whichever reaches the service first holds the profiler for 3 s; the other arrives meanwhile.
    const answered: number[] = [];
    const requests = [profileRequest('seconds=3'), profileRequest('seconds=3')].map((request) =>
      request.then(async (response) => {
        answered.push(response.status);
        return { status: response.status, body: (await response.json()) as unknown };
      }),
    );
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status).sort()).toEqual([200, 409]);
    expect(answered, 'the refusal comes first: it does not wait for the profile').toEqual([409, 200]);
    expect(responses.find((r) => r.status === 409)!.body).toMatchObject({ error: 'profiler_busy', request_id: expect.any(String) });
  });

  it('takes a heap snapshot with --heap and prints the largest types', async () => {
    const { stdout } = await profileCli('--heap', '--top', '5');
    const file = readdirSync(out).find((f) => f.endsWith('.heapsnapshot'));
    expect(file).toBeDefined();
    const snapshot = JSON.parse(readFileSync(join(out, file!), 'utf8')) as { snapshot: { node_count: number } };
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000);
    expect(stdout).toMatch(/heap \d+\.\d MiB/);
    expect(stdout.split('\n').filter((line) => /^ +\d+\.\d\d +\d+ {2}/.test(line))).toHaveLength(5);
  });

  it('enforces the bounds on the server, with JSON errors carrying the request id', async () => {
    for (const query of ['seconds=61', 'seconds=0', 'seconds=abc', 'type=threads']) {
      const response = await profileRequest(query);
      expect(response.status, query).toBe(400);
      const body = (await response.json()) as { request_id: string };
      expect(body).toMatchObject({ error: 'validation_failed', request_id: expect.any(String) });
      expect(response.headers.get('x-request-id')).toBe(body.request_id);
    }
    const tooLong = await profileRequest('seconds=61');
    expect(JSON.stringify(await tooLong.json())).toContain('at most 60 seconds');
    // The client passes the refusal on: exit 1 with the service's answer.
    const refused = await profileCli('--seconds', '61').catch((error: { code: number; stderr: string }) => error);
    expect(refused).toMatchObject({ code: 1 });
    expect((refused as { stderr: string }).stderr).toContain('answered 400');
  });

  it('answers 401 without the right token, and 404 on a service started without one', async () => {
    for (const token of ['', 'not-the-admin-token']) {
      const response = await profileRequest('seconds=1', token);
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({ error: 'admin_token_required', request_id: expect.any(String) });
    }
    const off = await profileRequest('seconds=1', TOKEN, NO_TOKEN_API);
    expect(off.status).toBe(404);
    expect(await off.json()).toMatchObject({ error: 'not_found' });
  });
});
