import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UnauthorizedError } from '../../domain/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/**
 * Guards the admin endpoints with a bearer token, compared in constant time: both sides are hashed
 * first, so neither the comparison nor its length check depends on how much of the token matched.
 * Without a configured token the endpoints are off: they answer the service's ordinary 404, so a
 * deployment that never set ADMIN_TOKEN does not even reveal that they exist.
 */
export function adminToken(expected: string | undefined): MiddlewareHandler {
  if (expected === undefined || expected === '') return async (c) => c.notFound();
  const expectedDigest = digest(expected);
  return async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(token), expectedDigest))
      throw new UnauthorizedError('admin_token_required', 'a valid admin token is required');
    await next();
  };
}
