import {
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM_NAME,
} from '../../telemetry/semconv.ts';

/**
 * The one builder of the bounded messaging attributes (spans and metrics, never a message id) of the
 * confirmations stream: system, destination, the consumer group when a consumer acts, the operation.
 */
export function messagingAttributes(
  system: string,
  destination: string,
  operation?: { name: string; type: string },
  group?: string,
): Record<string, string> {
  return {
    [ATTR_MESSAGING_SYSTEM_NAME]: system,
    [ATTR_MESSAGING_DESTINATION_NAME]: destination,
    ...(group === undefined ? {} : { [ATTR_MESSAGING_CONSUMER_GROUP_NAME]: group }),
    ...(operation === undefined ? {} : { [ATTR_MESSAGING_OPERATION_NAME]: operation.name, [ATTR_MESSAGING_OPERATION_TYPE]: operation.type }),
  };
}
