import { randomUUID } from 'node:crypto';

export const TENANT = 'acme';
export const CARD = { card_number: '4242424242424242', expiry: '12/30', cvc: '123' };

export interface JsonResponse<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

/** A JSON request to the api with the tenant header (unless overridden). */
export async function call<T = any>(
  baseUrl: string,
  method: string,
  path: string,
  options: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string } = {},
): Promise<JsonResponse<T>> {
  const headers: Record<string, string> = { 'x-tenant-id': TENANT, ...options.headers };
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  const response = await fetch(new URL(path, baseUrl), {
    method,
    headers,
    body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : undefined };
}

/** Signs a fresh user up and in; returns its id, email, password and bearer token. */
export async function newSession(baseUrl: string, password = `pw-${randomUUID()}`) {
  const email = `user-${randomUUID()}@example.test`;
  const signup = await call(baseUrl, 'POST', '/api/users', { body: { email, name: 'Test User', password, source: 'web' } });
  if (signup.status !== 201) throw new Error(`signup failed: ${signup.status} ${JSON.stringify(signup.body)}`);
  const login = await call(baseUrl, 'POST', '/api/sessions', { body: { email, password } });
  if (login.status !== 201) throw new Error(`login failed: ${login.status} ${JSON.stringify(login.body)}`);
  return { userId: signup.body.id as string, email, password, token: login.body.token as string };
}
