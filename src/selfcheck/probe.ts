import { randomBytes, randomUUID } from 'node:crypto';
import { fail, join, pass, snippet, type CheckResult } from './check.ts';
import { networkProblem, type HttpGet } from './http-get.ts';

/** The ids the probe carries, chosen here so that every backend can be asked for exactly them. */
export interface ProbeIds {
  traceId: string;
  spanId: string;
  requestId: string;
}

export function newProbeIds(): ProbeIds {
  return { traceId: randomBytes(16).toString('hex'), spanId: randomBytes(8).toString('hex'), requestId: `verify-${randomUUID()}` };
}

/** W3C traceparent with the sampled flag: the api continues this trace instead of starting one. */
export function traceparent(ids: ProbeIds): string {
  return `00-${ids.traceId}-${ids.spanId}-01`;
}

export const PROBE_PATH = '/api/products';

export interface ProbeOutcome {
  result: CheckResult;
  /** The api answered at all: then it emitted telemetry, whatever the status. */
  answered: boolean;
  startedMs: number;
}

const HINT_DOWN =
  'start the api (docker compose ps api; natively scripts/native-stack.sh status) or point --api-url / API_URL at it; ' +
  'see docs/troubleshooting.md § 0';

/** GET /api/products once, as tenant `tenant`, with the probe's trace and request ids. */
export async function sendProbe(get: HttpGet, apiUrl: string, tenant: string, ids: ProbeIds, now: () => number): Promise<ProbeOutcome> {
  const url = join(apiUrl, PROBE_PATH);
  const startedMs = now();
  const headers = { 'x-tenant-id': tenant, 'x-request-id': ids.requestId, traceparent: traceparent(ids) };
  let status: number;
  let body: string;
  try {
    ({ status, body } = await get(url, headers));
  } catch (error) {
    return { result: fail('probe', `api unreachable at ${url} (${networkProblem(error)})`, HINT_DOWN), answered: false, startedMs };
  }
  const took = `${Math.round(now() - startedMs)} ms`;
  const sent = `GET ${PROBE_PATH} → ${status} in ${took}, trace ${ids.traceId}, request ${ids.requestId}`;
  if (status >= 200 && status < 300) return { result: pass('probe', sent), answered: true, startedMs };
  const hint =
    status >= 500
      ? 'the api is unhealthy: GET /health/ready names the failing dependency (Postgres, Redis); docker compose logs api'
      : `the api refused the probe (${snippet(body, 80)}): is --api-url / API_URL the shop api, and is tenant "${tenant}" seeded?`;
  return { result: fail('probe', sent, hint), answered: true, startedMs };
}
