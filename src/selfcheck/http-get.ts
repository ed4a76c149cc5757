import { Agent, request } from 'undici';

/** What a check gets back: the status and the body as text (each check parses what it needs). */
export interface HttpResponse {
  status: number;
  body: string;
}

/**
 * The one dependency of every check: GET a URL. Resolves for every HTTP answer (any status) and
 * rejects only when there is none (refused, timed out, unknown host), so that checks can tell
 * "the backend is down" from "the backend said no".
 */
export type HttpGet = (url: string, headers?: Record<string, string>) => Promise<HttpResponse>;

export interface HttpClient {
  get: HttpGet;
  close(): Promise<void>;
}

/** An undici-backed getter with a per-request time limit; close() releases its sockets. */
export function createHttpClient(timeoutMs = 5_000): HttpClient {
  // Own agent with short keep-alive: the polls reuse connections, and close() lets the process exit.
  const agent = new Agent({ connect: { timeout: timeoutMs }, headersTimeout: timeoutMs, bodyTimeout: timeoutMs, keepAliveTimeout: 2_000 });
  return {
    async get(url, headers = {}) {
      const response = await request(url, { method: 'GET', headers, dispatcher: agent, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.statusCode, body: await response.body.text() };
    },
    close: () => agent.close(),
  };
}

const CODES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found',
  EHOSTUNREACH: 'host unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'timed out',
  UND_ERR_HEADERS_TIMEOUT: 'timed out',
  UND_ERR_BODY_TIMEOUT: 'timed out',
  UND_ERR_SOCKET: 'connection closed',
};

/** Why a request got no HTTP answer, in the words a person acts on ("connection refused"). */
export function networkProblem(error: unknown): string {
  const err = error as { code?: string; name?: string; message?: string; cause?: { code?: string }; errors?: Array<{ code?: string }> };
  const code = err.code ?? err.cause?.code ?? err.errors?.[0]?.code;
  if (code && CODES[code]) return CODES[code];
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return 'timed out';
  return err.message ?? String(error);
}
