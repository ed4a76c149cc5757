import { Pool } from 'undici';

export interface CallOptions {
  tenant?: string;
  token?: string;
  body?: unknown;
  /** Sent as-is instead of a JSON encoding of `body` (bad-input traffic). */
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface CallResult {
  status: number;
  latencyMs: number;
  json?: any;
}

/**
 * One keep-alive connection pool to the api. The undici instrumentation (when loadgen runs with the
 * OTel bootstrap) makes a CLIENT span per request and injects traceparent, so each trace starts
 * here and the service graph shows loadgen → api.
 */
export class ApiClient {
  private readonly pool: Pool;

  constructor(baseUrl: string, connections: number) {
    this.pool = new Pool(baseUrl, { connections, keepAliveTimeout: 30_000, headersTimeout: 30_000, bodyTimeout: 30_000 });
  }

  async call(method: string, path: string, options: CallOptions = {}): Promise<CallResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.tenant) headers['x-tenant-id'] = options.tenant;
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
    if (body !== undefined) headers['content-type'] = 'application/json';
    const started = performance.now();
    try {
      const response = await this.pool.request({ method: method as 'GET', path, headers, body });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      let json: unknown;
      try {
        json = text ? JSON.parse(text) : undefined;
      } catch {
        json = undefined;
      }
      return { status: response.statusCode, latencyMs, json };
    } catch {
      return { status: 0, latencyMs: performance.now() - started };
    }
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}
