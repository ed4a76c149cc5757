import type { Hono } from 'hono';
import type { OrderService } from '../domain/orders.ts';
import type { FaultControl, RateLimiter, SessionStore, TenantRepository } from '../domain/ports.ts';
import type { ProductService } from '../domain/products.ts';
import type { UserService } from '../domain/users.ts';
import { createBaseApp, type BaseAppOptions } from './base-app.ts';
import type { AppEnv } from './context.ts';
import { ExceptionFault, exceptionFaultRoutes } from './exception-fault.ts';
import { loginRateLimit, type LoginLimiters } from './middleware/login-rate-limit.ts';
import { rateLimit } from './middleware/rate-limit.ts';
import { tenant } from './middleware/tenant.ts';
import { OnDemandProfiler } from '../profiling/on-demand.ts';
import { adminRoutes } from './routes/admin.ts';
import { orderRoutes } from './routes/orders.ts';
import { productRoutes } from './routes/products.ts';
import { profilingRoutes } from './routes/profiling.ts';
import { userRoutes } from './routes/users.ts';

export interface ApiAppDeps extends BaseAppOptions {
  tenants: TenantRepository;
  sessions: SessionStore;
  rateLimiter: RateLimiter;
  /** POST /api/sessions: attempts per client address and per account (src/http/middleware/login-rate-limit.ts). */
  loginLimiters: LoginLimiters;
  users: UserService;
  products: ProductService;
  orders: OrderService;
  faults: FaultControl;
  /** The `novel_exception` fault (src/http/exception-fault.ts); one of its own when not given. */
  exceptionFault?: ExceptionFault;
  /** Unset: the admin endpoints answer 404 (src/http/middleware/admin-token.ts). */
  adminToken: string | undefined;
  /** POST /admin/profile (admin token); one per process, so that only one profile runs at a time. */
  profiler?: OnDemandProfiler;
  /** HEAP_SNAPSHOT_ENABLED: `type=heap` of POST /admin/profile; off unless true (src/http/routes/profiling.ts). */
  heapSnapshots?: boolean;
}

/** The shop API: every /api route is tenant-scoped and rate limited per tenant; logins also per client and account. */
export function createApiApp(deps: ApiAppDeps): Hono<AppEnv> {
  return createBaseApp(deps, (app) => {
    app.use('/api/*', tenant(deps.tenants), rateLimit(deps.rateLimiter, deps.logger));
    app.use('/api/sessions', loginRateLimit(deps.loginLimiters, deps.logger));
    const exceptionFault = deps.exceptionFault ?? new ExceptionFault();
    app.use('/api/products', exceptionFault.middleware());
    app.route('/', userRoutes(deps.users, deps.sessions));
    app.route('/', productRoutes(deps.products));
    app.route('/', orderRoutes(deps.orders, deps.sessions));
    app.route('/', adminRoutes(deps.faults, deps.adminToken));
    app.route('/', profilingRoutes(deps.profiler ?? new OnDemandProfiler(), deps.adminToken, 'api', deps.heapSnapshots));
    app.route('/', exceptionFaultRoutes(exceptionFault, deps.adminToken));
  });
}
