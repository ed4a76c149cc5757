/**
 * Requests the e2e load never makes, so that a test can wait for their own telemetry: one in a
 * trace whose id the test chose, and those of a shopper of its own.
 */
import { randomBytes } from 'node:crypto';
import { SECRETS } from './drive-load.ts';

/** GETs `url` as `tenant` in a new sampled trace; returns the trace id. */
export async function getInNewTrace(url: string, tenant: string): Promise<string> {
  const traceId = randomBytes(16).toString('hex');
  await fetch(url, {
    headers: { 'x-tenant-id': tenant, traceparent: `00-${traceId}-${randomBytes(8).toString('hex')}-01` },
  });
  return traceId;
}

/** Signs a new user of `tenant` up and in; returns the headers of its requests. */
export async function newProbeShopper(apiUrl: string, tenant: string): Promise<Record<string, string>> {
  const email = `probe-${Date.now()}@example.test`;
  const headers = { 'x-tenant-id': tenant, 'content-type': 'application/json' };
  await fetch(`${apiUrl}/api/users`, {
    method: 'POST',
    headers,
    body: JSON.stringify({ email, name: 'Probe', password: SECRETS.password }),
  });
  const login = (await (
    await fetch(`${apiUrl}/api/sessions`, { method: 'POST', headers, body: JSON.stringify({ email, password: SECRETS.password }) })
  ).json()) as { token: string };
  return { ...headers, authorization: `Bearer ${login.token}` };
}
