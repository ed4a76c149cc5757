import { Hono } from 'hono';
import { z } from 'zod';
import { NotFoundError } from '../../domain/errors.ts';
import { SIGNUP_SOURCES, type User } from '../../domain/model.ts';
import type { SessionStore } from '../../domain/ports.ts';
import type { UserService } from '../../domain/users.ts';
import type { AppEnv } from '../context.ts';
import { authenticated } from '../middleware/auth.ts';
import { parseWith, readJson } from '../validation.ts';

const signupSchema = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(100),
  password: z.string().min(8).max(128),
  source: z.enum(SIGNUP_SOURCES).default('web'),
});

const loginSchema = z.object({ email: z.email().max(254), password: z.string().min(1).max(128) });

export const userIdParam = z.object({ id: z.uuid() });

export const userJson = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  signup_source: user.signupSource,
  created_at: user.createdAt,
});

/** POST /api/users (signup), POST /api/sessions (login), GET /api/users/:id (own profile). */
export function userRoutes(users: UserService, sessions: SessionStore): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.post('/api/users', async (c) => {
    const input = await readJson(c, signupSchema);
    const user = await users.signup({ ...input, tenantId: c.get('tenantId') });
    return c.json(userJson(user), 201);
  });
  routes.post('/api/sessions', async (c) => {
    const input = await readJson(c, loginSchema);
    const session = await users.login(c.get('tenantId'), input.email, input.password);
    return c.json({ token: session.token, token_type: 'Bearer', expires_in: session.expiresIn, user: userJson(session.user) }, 201);
  });
  routes.get('/api/users/:id', authenticated(sessions), async (c) => {
    const { id } = parseWith(userIdParam, c.req.param());
    // A user sees their own profile only; others are reported missing rather than forbidden.
    if (id !== c.get('session').userId) throw new NotFoundError('user_not_found', 'no such user');
    return c.json(userJson(await users.getUser(c.get('tenantId'), id)));
  });
  return routes;
}
