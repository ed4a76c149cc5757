import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { UnauthorizedError } from '../../domain/errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Guards the admin endpoints with a bearer token, compared in constant time. */
export function adminToken(expected: string): MiddlewareHandler {
  const expectedDigest = digest(expected);
  return async (c, next) => {
    const token = /^Bearer (.+)$/.exec(c.req.header('authorization') ?? '')?.[1] ?? '';
    if (!timingSafeEqual(digest(token), expectedDigest))
      throw new UnauthorizedError('admin_token_required', 'a valid admin token is required');
    await next();
  };
}
