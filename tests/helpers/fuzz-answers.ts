import { expect } from 'vitest';

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
 * a reset of any other request is a failure.
 */
export const resetOverHeaderLimit = (headers: Record<string, string>, error: unknown): boolean =>
  Object.entries(headers).reduce((n, [k, v]) => n + k.length + Buffer.byteLength(v) + 4, 0) > 16 * 1024 &&
  (error as { cause?: { code?: string } }).cause?.code === 'UND_ERR_SOCKET';
