import { ATTR_SIGNUP_SOURCE, ATTR_TENANT_ID } from '../telemetry/attributes.ts';
import { ATTR_USER_ID } from '../telemetry/semconv.ts';
import { shopMetrics } from '../telemetry/shop-metrics.ts';
import { withSpan } from '../telemetry/tracing.ts';
import { cacheAside } from './cache-aside.ts';
import { ConflictError, NotFoundError, UnauthorizedError } from './errors.ts';
import type { SignupSource, User } from './model.ts';
import type { ActiveUsers, Cache, Logger, PasswordHasher, SessionStore, UserRepository } from './ports.ts';

export interface UserServiceDeps {
  users: UserRepository;
  hasher: PasswordHasher;
  sessions: SessionStore;
  cache: Cache;
  activeUsers: ActiveUsers;
  logger: Logger;
  sessionTtlSeconds: number;
  cacheTtlSeconds: number;
}

export interface SignupInput {
  tenantId: string;
  email: string;
  name: string;
  password: string;
  source: SignupSource;
}

/** Signup, login and profile lookup (cache-aside) for the users of one tenant. */
export class UserService {
  private readonly deps: UserServiceDeps;

  constructor(deps: UserServiceDeps) {
    this.deps = deps;
  }

  signup(input: SignupInput): Promise<User> {
    const attributes = { [ATTR_TENANT_ID]: input.tenantId, [ATTR_SIGNUP_SOURCE]: input.source };
    return withSpan('signup_user', { attributes }, async (span) => {
      const passwordHash = await this.deps.hasher.hash(input.password);
      const user = await this.deps.users.create({
        tenantId: input.tenantId,
        email: input.email.toLowerCase(),
        name: input.name,
        passwordHash,
        signupSource: input.source,
      });
      if (!user) throw new ConflictError('email_taken', 'a user with this email already exists');
      span.setAttribute(ATTR_USER_ID, user.id);
      shopMetrics().signups.add(1, attributes);
      this.deps.logger.info({ user_id: user.id, signup_source: input.source }, 'user_registered');
      return user;
    });
  }

  login(tenantId: string, email: string, password: string): Promise<{ token: string; user: User; expiresIn: number }> {
    return withSpan('login_user', { attributes: { [ATTR_TENANT_ID]: tenantId } }, async (span) => {
      const found = await this.deps.users.findCredentials(tenantId, email.toLowerCase());
      // An unknown email costs the same derivation as a wrong password (against a dummy hash with
      // the same parameters): skipping it would tell an attacker which emails have accounts.
      const matches = await this.deps.hasher.verify(password, found?.passwordHash ?? this.deps.hasher.dummyHash);
      if (!found || !matches) {
        this.deps.logger.warn({ reason: found ? 'wrong_password' : 'unknown_email' }, 'login_failed');
        throw new UnauthorizedError('invalid_credentials', 'email or password is wrong');
      }
      span.setAttribute(ATTR_USER_ID, found.user.id);
      const ttl = this.deps.sessionTtlSeconds;
      const token = await this.deps.sessions.create({ userId: found.user.id, tenantId }, ttl);
      await this.deps.activeUsers.record(tenantId, found.user.id);
      this.deps.logger.info({ user_id: found.user.id }, 'user_logged_in');
      return { token, user: found.user, expiresIn: ttl };
    });
  }

  getUser(tenantId: string, id: string): Promise<User> {
    const attributes = { [ATTR_TENANT_ID]: tenantId, [ATTR_USER_ID]: id };
    return withSpan('get_user', { attributes }, () =>
      cacheAside(this.deps.cache, this.deps.logger, 'user', `user:${tenantId}:${id}`, this.deps.cacheTtlSeconds, async () => {
        const user = await this.deps.users.findById(tenantId, id);
        if (!user) throw new NotFoundError('user_not_found', 'no such user');
        return user;
      }),
    );
  }
}
