import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Context, MiddlewareHandler } from 'hono';
import { RateLimitedError } from '../../domain/errors.ts';
import type { Logger, RateLimiter } from '../../domain/ports.ts';
import { ATTR_RATE_LIMIT_SCOPE, ATTR_TENANT_ID } from '../../telemetry/attributes.ts';
import { shopMetrics } from '../../telemetry/shop-metrics.ts';
import type { AppEnv } from '../context.ts';

export interface LoginLimiters {
  /** Attempts per client address: one host spraying many accounts. */
  perClient: RateLimiter;
  /** Attempts per tenant and email, whether the account exists or not: guessing one password. */
  perAccount: RateLimiter;
}

/** The same answer for both limits: which one tripped would tell an attacker what to rotate. */
const MESSAGE = 'too many login attempts; try again later';

/**
 * Brakes password guessing on POST /api/sessions before any scrypt work is queued: every attempt
 * counts (a success too, so that a correct guess is not free), per client and per account.
 * Keys are hashed because Redis spans show them and an email or address is personal data.
 * Like the tenant limit it fails open when Redis is down: the hashing semaphore still bounds the work,
 * and login needs Redis for its session anyway.
 */
export function loginRateLimit(limiters: LoginLimiters, logger: Logger): MiddlewareHandler<AppEnv> {
  let lastOutageLog = 0;
  const check = async (c: Context<AppEnv>, scope: 'client' | 'account', limiter: RateLimiter, subject: string) => {
    let decision;
    try {
      decision = await limiter.hit(digest(subject));
    } catch (error) {
      if (Date.now() - lastOutageLog > 10_000) {
        lastOutageLog = Date.now();
        logger.warn({ err: error, rate_limit_scope: scope }, 'login_rate_limiter_unavailable');
      }
      return;
    }
    if (decision.allowed) return;
    shopMetrics().loginRateLimited.add(1, { [ATTR_TENANT_ID]: c.get('tenantId'), [ATTR_RATE_LIMIT_SCOPE]: scope });
    throw new RateLimitedError(decision.resetSeconds, MESSAGE);
  };
  return async (c, next) => {
    if (c.req.method !== 'POST') return next();
    await check(c, 'client', limiters.perClient, `client\0${clientAddress(c)}`);
    const email = await emailOf(c);
    // A body without an email is refused by validation without hashing; only the client limit applies.
    if (email !== undefined) await check(c, 'account', limiters.perAccount, `${c.get('tenantId')}\0${email}`);
    return next();
  };
}

/** The peer address of the TCP connection; X-Forwarded-For is not trusted (no proxy is configured). */
function clientAddress(c: Context<AppEnv>): string {
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? 'unknown';
}

/** The lower-cased email of the body; Hono caches the parsed body, so the route reads it again for free. */
async function emailOf(c: Context<AppEnv>): Promise<string | undefined> {
  const body: unknown = await c.req.json().catch(() => undefined);
  const email = (body as { email?: unknown } | undefined)?.email;
  return typeof email === 'string' && email.length <= 254 ? email.toLowerCase() : undefined;
}

const digest = (subject: string) => createHash('sha256').update(subject).digest('base64url').slice(0, 32);
