import { diag } from '@opentelemetry/api';
import {
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  serviceInstanceIdDetector,
  type DetectedResource,
  type ResourceDetectionConfig,
  type ResourceDetector,
} from '@opentelemetry/resources';
import { ATTR_PROCESS_COMMAND_ARGS, ATTR_PROCESS_COMMAND_LINE } from '../telemetry/semconv.ts';

/**
 * Resource attributes that copy the command line. Any argument can be a credential
 * (`npm run load -- --admin-token T`, a URL with a password, a positional token), and a resource
 * attribute rides on every span, metric point (Prometheus `target_info`) and log record. A list of
 * secret-looking flag names would miss the next one, so the arguments are dropped as a whole; the
 * script (`process.command`), executable, runtime and pid stay.
 */
export const COMMAND_LINE_ATTRIBUTES: readonly string[] = [ATTR_PROCESS_COMMAND_ARGS, ATTR_PROCESS_COMMAND_LINE];

/** The SDK's process detector minus the command-line attributes. */
export const processDetectorWithoutArgs: ResourceDetector = {
  detect(config?: ResourceDetectionConfig): DetectedResource {
    const detected = processDetector.detect(config);
    const attributes = { ...detected.attributes };
    for (const key of COMMAND_LINE_ATTRIBUTES) delete attributes[key];
    return { ...detected, attributes };
  },
};

const DETECTORS: ReadonlyMap<string, ResourceDetector> = new Map([
  ['env', envDetector],
  ['host', hostDetector],
  ['os', osDetector],
  ['process', processDetectorWithoutArgs],
  ['serviceinstance', serviceInstanceIdDetector],
]);

/**
 * The detectors named in OTEL_NODE_RESOURCE_DETECTORS (same names and `all`/`none` as NodeSDK), with
 * the process detector swapped for the one above. NodeSDK only accepts detector objects, so the
 * variable is read here to keep it working.
 */
export function resourceDetectorsFromEnv(value: string | undefined): ResourceDetector[] {
  const names = (value ?? 'all')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  if (names.includes('all')) return [...DETECTORS.values()];
  if (names.includes('none')) return [];
  return names.flatMap((name) => {
    const detector = DETECTORS.get(name);
    if (!detector) diag.warn(`unknown resource detector "${name}" in OTEL_NODE_RESOURCE_DETECTORS: skipped`);
    return detector ? [detector] : [];
  });
}
