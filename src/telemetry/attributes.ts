/**
 * Attribute names that are ours (in no semantic convention). Kept in one place so that the
 * Collector's PII rules, the Prometheus rules and the dashboards can rely on them. Stable
 * semantic-convention names are imported from `@opentelemetry/semantic-conventions` where they are
 * used; incubating ones are copied in `semconv.ts`.
 */
export const ATTR_TENANT_ID = 'tenant.id';
export const ATTR_ORDER_ID = 'order.id';
export const ATTR_ORDER_STATUS = 'order.status';
export const ATTR_PRODUCT_SKU = 'product.sku';
export const ATTR_SIGNUP_SOURCE = 'signup.source';
export const ATTR_PAYMENT_AMOUNT_CENTS = 'payment.amount_cents';
export const ATTR_PAYMENT_FAILURE_REASON = 'payment.failure.reason';
export const ATTR_CACHE_NAME = 'cache.name';
export const ATTR_CACHE_RESULT = 'cache.result';
export const ATTR_CACHE_HIT = 'cache.hit';
export const ATTR_DEPENDENCY = 'dependency';
/** Which login limit refused an attempt: `client` (one address) or `account` (one email of a tenant). */
export const ATTR_RATE_LIMIT_SCOPE = 'rate_limit.scope';

/** Bucket boundaries (seconds) advised by the HTTP and DB semantic conventions for durations. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
