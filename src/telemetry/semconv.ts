/*
 * Incubating semantic-convention names we use, copied from
 * @opentelemetry/semantic-conventions@1.45.0 (`/incubating`) rather than imported: the incubating
 * entry point may change or drop a name in any minor release, so the package's own guidance (and
 * opentelemetry-js-contrib's `semconv.ts` files) is to copy the few that are needed. Stable names are
 * imported from `@opentelemetry/semantic-conventions` where they are used; our own names live in
 * `attributes.ts`.
 */

/** @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/db/ */
export const ATTR_DB_CLIENT_CONNECTION_POOL_NAME = 'db.client.connection.pool.name' as const;
export const ATTR_DB_CLIENT_CONNECTION_STATE = 'db.client.connection.state' as const;
export const DB_CLIENT_CONNECTION_STATE_VALUE_IDLE = 'idle' as const;
export const DB_CLIENT_CONNECTION_STATE_VALUE_USED = 'used' as const;

/** @see https://opentelemetry.io/docs/specs/semconv/database/database-metrics/#connection-pools */
export const METRIC_DB_CLIENT_CONNECTION_COUNT = 'db.client.connection.count' as const;
export const METRIC_DB_CLIENT_CONNECTION_MAX = 'db.client.connection.max' as const;
export const METRIC_DB_CLIENT_CONNECTION_PENDING_REQUESTS = 'db.client.connection.pending_requests' as const;

/** @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/user/ */
export const ATTR_USER_ID = 'user.id' as const;

/** @see https://opentelemetry.io/docs/specs/semconv/system/process-metrics/ */
export const ATTR_CPU_MODE = 'cpu.mode' as const;
export const METRIC_PROCESS_CPU_TIME = 'process.cpu.time' as const;
export const METRIC_PROCESS_MEMORY_USAGE = 'process.memory.usage' as const;

/** @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/process/ */
export const ATTR_PROCESS_COMMAND_ARGS = 'process.command_args' as const;
export const ATTR_PROCESS_COMMAND_LINE = 'process.command_line' as const;

/**
 * Messaging names of semconv 1.45.0, where `messaging.system` is deprecated for `messaging.system.name`.
 * @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/messaging/
 */
export const ATTR_MESSAGING_SYSTEM_NAME = 'messaging.system.name' as const;
export const ATTR_MESSAGING_DESTINATION_NAME = 'messaging.destination.name' as const;
export const ATTR_MESSAGING_OPERATION_NAME = 'messaging.operation.name' as const;
export const ATTR_MESSAGING_OPERATION_TYPE = 'messaging.operation.type' as const;
export const ATTR_MESSAGING_MESSAGE_ID = 'messaging.message.id' as const;
export const ATTR_MESSAGING_CONSUMER_GROUP_NAME = 'messaging.consumer.group.name' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_SEND = 'send' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_PROCESS = 'process' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_RECEIVE = 'receive' as const;
export const MESSAGING_OPERATION_TYPE_VALUE_SETTLE = 'settle' as const;

/**
 * The service on the server side of a call, set by the client. Semconv 1.45.0 deprecates both
 * `peer.service` and `service.peer.name` for this name.
 * @see https://opentelemetry.io/docs/specs/semconv/registry/attributes/server/
 */
export const ATTR_SERVER_SERVICE_NAME = 'server.service.name' as const;

/** @see https://opentelemetry.io/docs/specs/semconv/messaging/messaging-metrics/ */
export const METRIC_MESSAGING_CLIENT_OPERATION_DURATION = 'messaging.client.operation.duration' as const;
export const METRIC_MESSAGING_CLIENT_SENT_MESSAGES = 'messaging.client.sent.messages' as const;
export const METRIC_MESSAGING_CLIENT_CONSUMED_MESSAGES = 'messaging.client.consumed.messages' as const;
export const METRIC_MESSAGING_PROCESS_DURATION = 'messaging.process.duration' as const;
