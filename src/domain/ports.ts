import type { ChargeResult, Order, OrderLine, PaymentCard, Product, Session, SignupSource, Tenant, User } from './model.ts';

/** The logging surface the use cases need (pino satisfies it; tests can pass a recorder). */
export interface Logger {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  error(fields: object, message: string): void;
}

export interface TenantRepository {
  find(id: string): Promise<Tenant | undefined>;
  list(): Promise<Tenant[]>;
}

export interface NewUser {
  tenantId: string;
  email: string;
  name: string;
  passwordHash: string;
  signupSource: SignupSource;
}

export interface UserRepository {
  /** Inserts the user; resolves undefined when the email is taken in this tenant. */
  create(user: NewUser): Promise<User | undefined>;
  findById(tenantId: string, id: string): Promise<User | undefined>;
  findCredentials(tenantId: string, email: string): Promise<{ user: User; passwordHash: string } | undefined>;
}

export interface ProductRepository {
  list(tenantId: string): Promise<Product[]>;
}

export interface OrderRepository {
  /** Locks the products, checks and decrements stock and inserts a pending order, in one transaction. */
  reserve(tenantId: string, userId: string, items: Array<{ sku: string; quantity: number }>): Promise<Order>;
  /** Marks a pending order completed; false when it is no longer pending (settled as stale). */
  markCompleted(tenantId: string, orderId: string): Promise<boolean>;
  /**
   * Marks a pending order failed and puts its stock back, in one transaction; false (and no stock
   * moved) when it is no longer pending, so a checkout and the stale-order sweeper never both do.
   */
  fail(tenantId: string, orderId: string, lines: OrderLine[], reason: string): Promise<boolean>;
  findById(tenantId: string, id: string): Promise<Order | undefined>;
  markConfirmed(tenantId: string, orderId: string): Promise<boolean>;
}

export interface PasswordHasher {
  /** A stored-format hash of no password, with the current cost: what login verifies an unknown email against. */
  readonly dummyHash: string;
  hash(password: string): Promise<string>;
  verify(password: string, stored: string): Promise<boolean>;
}

export interface Cache {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown, ttlSeconds: number): Promise<void>;
  delete(key: string): Promise<void>;
}

export interface SessionStore {
  create(session: Session, ttlSeconds: number): Promise<string>;
  find(token: string): Promise<Session | undefined>;
}

export interface ActiveUsers {
  record(tenantId: string, userId: string): Promise<void>;
}

export interface ChargeRequest {
  orderId: string;
  tenantId: string;
  amountCents: number;
  currency: string;
  card: PaymentCard;
}

export interface PaymentGateway {
  /** Resolves approved/declined; throws PaymentGatewayError when the gateway fails or times out. */
  charge(request: ChargeRequest): Promise<ChargeResult>;
}

export interface OrderConfirmation {
  orderId: string;
  tenantId: string;
  userId: string;
}

export interface OrderEvents {
  publishConfirmation(confirmation: OrderConfirmation): Promise<string>;
}

export interface RateLimitDecision {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the current window ends (the Retry-After value). */
  resetSeconds: number;
}

export interface RateLimiter {
  readonly limit: number;
  /** Counts one request against `key` (a tenant, a client address, an account) in the current window. */
  hit(key: string): Promise<RateLimitDecision>;
}

/** One dependency probe for readiness: resolves when healthy, rejects with the reason otherwise. */
export interface DependencyCheck {
  name: string;
  check(): Promise<void>;
}

/** Faults the api can inject into itself, so failure scenarios reproduce real symptoms on demand. */
export interface FaultState {
  db_saturation: boolean;
  redis_down: boolean;
}

export interface FaultControl {
  state(): FaultState;
  set(changes: Partial<FaultState>): Promise<FaultState>;
}
