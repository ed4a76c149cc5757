/**
 * OpenTelemetry bootstrap, loaded before the application with `node --import ./src/instrumentation.ts`.
 *
 * The SDK must start before the application loads the modules it patches: redis is patched when it is
 * required (require-in-the-middle), undici is observed through diagnostics channels. Importing this
 * file from the entry point instead would be too late: ESM imports are hoisted and evaluated before
 * the entry's body. No ESM loader hook is registered: the server span and the log records come from
 * our own middleware and logger, so no ESM module needs patching (docs/decisions.md).
 */
const { startTelemetry } = await import('./instrumentation/sdk.ts');
startTelemetry();
