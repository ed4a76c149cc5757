/**
 * Attribute names that are ours (not in the semantic conventions). Kept in one place so that the
 * Collector's PII rules, the Prometheus rules and the dashboards can rely on them.
 */
export const ATTR_TENANT_ID = 'tenant.id';
export const ATTR_USER_ID = 'user.id';
export const ATTR_ORDER_ID = 'order.id';
export const ATTR_ORDER_STATUS = 'order.status';
export const ATTR_PRODUCT_SKU = 'product.sku';
export const ATTR_SIGNUP_SOURCE = 'signup.source';
export const ATTR_PAYMENT_FAILURE_REASON = 'payment.failure.reason';
export const ATTR_CACHE_NAME = 'cache.name';
export const ATTR_CACHE_RESULT = 'cache.result';
export const ATTR_CACHE_HIT = 'cache.hit';
export const ATTR_DEPENDENCY = 'dependency';

/** Stable semantic-convention names we set by hand (the semconv package marks some incubating). */
export const ATTR_DB_SYSTEM_NAME = 'db.system.name';
export const ATTR_DB_NAMESPACE = 'db.namespace';
export const ATTR_DB_OPERATION_NAME = 'db.operation.name';
export const ATTR_DB_QUERY_SUMMARY = 'db.query.summary';
export const ATTR_DB_QUERY_TEXT = 'db.query.text';
export const ATTR_DB_RESPONSE_STATUS_CODE = 'db.response.status_code';
export const ATTR_DB_POOL_NAME = 'db.client.connection.pool.name';
export const ATTR_DB_CONNECTION_STATE = 'db.client.connection.state';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_ERROR_TYPE = 'error.type';
export const ATTR_MESSAGING_SYSTEM = 'messaging.system';
export const ATTR_MESSAGING_DESTINATION = 'messaging.destination.name';
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type';
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id';
export const ATTR_PEER_SERVICE = 'peer.service';

/** Bucket boundaries (seconds) advised by the HTTP and DB semantic conventions for durations. */
export const DURATION_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
