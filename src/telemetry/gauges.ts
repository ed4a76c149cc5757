import type { Attributes, ObservableResult } from '@opentelemetry/api';
import { meter } from './scope.ts';

/**
 * Registers an observable gauge whose callback returns the current readings. Callbacks run at each
 * export, off the request path, so the values cost nothing per request.
 */
export function observeGauge(
  name: string,
  options: { description: string; unit?: string },
  read: () => Array<{ value: number; attributes?: Attributes }> | Promise<Array<{ value: number; attributes?: Attributes }>>,
): void {
  const gauge = meter().createObservableGauge(name, options);
  gauge.addCallback(async (result: ObservableResult) => {
    for (const reading of await read()) result.observe(reading.value, reading.attributes);
  });
}
