/**
 * OpenTelemetry bootstrap, loaded before the application with `node --import ./src/instrumentation.ts`.
 *
 * Order matters: the ESM loader hook is registered first, so that modules the application imports
 * later (node:http, pino) pass through import-in-the-middle and can be patched; only then is the SDK
 * (and with it every instrumentation) loaded and started. Importing this file from the entry point
 * instead would be too late: ESM imports are hoisted and evaluated before the entry's body.
 */
import { register } from 'import-in-the-middle/register-hooks.mjs';
import { INSTRUMENTED_MODULES } from './instrumentation/instrumented-modules.ts';

register({ include: INSTRUMENTED_MODULES });

const { startTelemetry } = await import('./instrumentation/sdk.ts');
startTelemetry();
