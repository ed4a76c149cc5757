import { readFileSync } from 'node:fs';
import { CARD, TENANT } from './shop-client.ts';

export interface LoadResult {
  at: number;
  kind: 'products' | 'order';
  /** HTTP status, or 0 when no answer came (refused, reset, timed out). */
  status: number;
  latencyMs: number;
  body?: any;
}

/**
 * A bounded, steady mixed load on the api: `ratePerSecond` requests, alternating GET /api/products and
 * POST /api/orders, each sent on schedule whether or not the previous one answered (open model).
 */
export function steadyLoad(baseUrl: string, token: string, ratePerSecond: number) {
  const results: LoadResult[] = [];
  const pending = new Set<Promise<void>>();
  let sent = 0;
  const send = async (kind: LoadResult['kind']) => {
    const at = Date.now();
    const started = performance.now();
    const order = kind === 'order';
    try {
      const response = await fetch(new URL(order ? '/api/orders' : '/api/products', baseUrl), {
        method: order ? 'POST' : 'GET',
        headers: { 'x-tenant-id': TENANT, authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: order ? JSON.stringify({ items: [{ sku: 'MUG-TRACE', quantity: 1 }], payment: CARD }) : undefined,
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      results.push({ at, kind, status: response.status, latencyMs: performance.now() - started, body: safeJson(text) });
    } catch {
      results.push({ at, kind, status: 0, latencyMs: performance.now() - started });
    }
  };
  const timer = setInterval(() => {
    const request = send(sent++ % 2 === 0 ? 'products' : 'order');
    pending.add(request);
    void request.finally(() => pending.delete(request));
  }, 1000 / ratePerSecond);
  return {
    results,
    /** Stops sending and waits for every request already sent. */
    async stop(): Promise<LoadResult[]> {
      clearInterval(timer);
      await Promise.all(pending);
      return results;
    },
  };
}

const safeJson = (text: string) => {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
};

/** Requests served, and errors counted by status (0 = no answer), of the results in [from, to). */
export function tally(results: LoadResult[], from = 0, to = Infinity) {
  const window = results.filter((r) => r.at >= from && r.at < to);
  const errors: Record<string, number> = {};
  for (const r of window) if (r.status === 0 || r.status >= 400) errors[r.status] = (errors[r.status] ?? 0) + 1;
  return { sent: window.length, served: window.filter((r) => r.status >= 200 && r.status < 400).length, errors };
}

/** Peak resident memory of a process (VmHWM), in MiB. */
export function peakMemoryMiB(pid: number): number {
  const kib = Number(/VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1]);
  return Math.round((kib / 1024) * 10) / 10;
}
