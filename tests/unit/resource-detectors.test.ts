import { processDetector } from '@opentelemetry/resources';
import { describe, expect, it } from 'vitest';
import { processDetectorWithoutArgs, resourceDetectorsFromEnv } from '../../src/instrumentation/resource-detectors.ts';

describe('resource detectors', () => {
  it('describe the process without its command-line arguments', () => {
    // The SDK's own detector copies argv (the subject of the fix): this proves it still does.
    expect(processDetector.detect().attributes).toHaveProperty(['process.command_args']);
    const attributes = processDetectorWithoutArgs.detect().attributes!;
    expect(attributes).not.toHaveProperty(['process.command_args']);
    expect(attributes).not.toHaveProperty(['process.command_line']);
    expect(attributes['process.pid']).toBe(process.pid);
    expect(attributes['process.runtime.name']).toBe('nodejs');
  });

  it('follow OTEL_NODE_RESOURCE_DETECTORS like NodeSDK, with the argument-free process detector', () => {
    expect(resourceDetectorsFromEnv(undefined)).toHaveLength(5);
    expect(resourceDetectorsFromEnv('all')).toContain(processDetectorWithoutArgs);
    expect(resourceDetectorsFromEnv('all')).not.toContain(processDetector);
    expect(resourceDetectorsFromEnv('env, process')).toEqual([expect.anything(), processDetectorWithoutArgs]);
    expect(resourceDetectorsFromEnv('none')).toEqual([]);
    expect(resourceDetectorsFromEnv('process,nosuch')).toEqual([processDetectorWithoutArgs]);
  });
});
