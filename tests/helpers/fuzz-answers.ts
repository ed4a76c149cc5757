import { Agent, fetch as undiciFetch } from 'undici';
import { expect } from 'vitest';

/**
 * The only routes that may answer 2xx to a request without valid credentials, and only for the
 * methods they serve: probes, the catalogue of a real tenant, and signup / webhook / charge bodies
 * that happen to be valid. Everything else must be a 4xx.
 */
export const OPEN_ROUTES = new Set([
  'GET /health/live',
  'GET /health/ready',
  'HEAD /health/live',
  'HEAD /health/ready',
  'GET /api/products',
  'HEAD /api/products',
  'POST /api/users',
  'POST /alerts/webhook',
  'POST /charges',
]);

/** What an answer is checked against: a hostile case as sent, with the route it was generated from. */
export interface SentCase {
  target: { name: string };
  route: { path: string };
  path: string;
  method: string;
  headers: Record<string, string>;
}

export interface AnswerExpectations {
  /** `METHOD /template` pairs that may answer 2xx/3xx to anyone. */
  openRoutes: ReadonlySet<string>;
  /** Strings that must never come back, in the body or a header. */
  secrets: readonly string[];
  /** Counts answers by status, for the run's summary line. */
  byStatus: Map<number, number>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The properties every answer to a hostile request must have. */
export async function checkAnswer(attackCase: SentCase, response: Response, expected: AnswerExpectations): Promise<void> {
  const { method, path, headers } = attackCase;
  const text = await response.text();
  expected.byStatus.set(response.status, (expected.byStatus.get(response.status) ?? 0) + 1);
  const where = `${method} ${attackCase.target.name}${path} → ${response.status} ${text.slice(0, 300)}`;
  expect(response.status, where).toBeLessThan(500);
  expect(response.status, where).toBeGreaterThanOrEqual(200);
  if (response.status < 400) expect(expected.openRoutes.has(`${method} ${templateOf(attackCase)}`), where).toBe(true);
  const responseId = response.headers.get('x-request-id');
  expect(responseId, where).toMatch(REQUEST_ID);
  if (headers['x-request-id'] && !REQUEST_ID.test(headers['x-request-id'])) expect(responseId).not.toBe(headers['x-request-id']);
  if (response.status >= 400 && method !== 'HEAD') {
    expect(response.headers.get('content-type') ?? '', where).toContain('application/json');
    const body = JSON.parse(text) as { error?: unknown; request_id?: unknown };
    expect(typeof body.error, where).toBe('string');
    expect(body.request_id, where).toBe(responseId);
  }
  const echoed = text + JSON.stringify([...response.headers]);
  for (const secret of expected.secrets) expect(echoed.includes(secret), `${where} echoes a secret`).toBe(false);
}

/** The route template a concrete path was generated from (params filled by pathFor). */
function templateOf(attackCase: SentCase): string {
  const template = attackCase.route.path;
  const pattern = new RegExp(`^${template.replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
  return pattern.test(attackCase.path) ? template : attackCase.path;
}

/**
 * Over node's 16 KiB header limit the server answers 431 and closes while the client may still be
 * sending: TCP then resets the connection before the answer is read. That is a refusal all the same;
 * a reset of any other request is a failure. The limit counts the request line and the headers the
 * client adds itself (host, connection, user-agent, accept…, ≈ 200 bytes), hence the allowance.
 */
const CLIENT_HEADER_ALLOWANCE = 512;
export const resetOverHeaderLimit = (headers: Record<string, string>, error: unknown): boolean =>
  Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 4, 0) > 16 * 1024 - CLIENT_HEADER_ALLOWANCE &&
  (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET';

const ownConnection = new Agent({ pipelining: 0 });

/**
 * fetch on a connection of its own (`connection: close`): a fuzz case must not depend on what an
 * earlier case left on a shared keep-alive socket (a server may close a connection after a refused
 * request, and a client reusing it then sees "other side closed" for a request that was never
 * read), and fast-check's replay of one failing case must reproduce it alone.
 */
export const fetchOnOwnConnection = (url: URL, init: RequestInit): Promise<Response> =>
  undiciFetch(url, { ...(init as object), dispatcher: ownConnection }) as unknown as Promise<Response>;

/** Closes the agent of fetchOnOwnConnection (afterAll). */
export const closeOwnConnections = (): Promise<void> => ownConnection.close();
