/**
 * The only modules the loader hook intercepts. An include list keeps the hook's cost off every other
 * import (measured: start-up time grows with each intercepted module). redis and undici need no hook:
 * redis loads its client with require() (require-in-the-middle patches it) and undici publishes
 * diagnostics_channel events.
 */
export const INSTRUMENTED_MODULES = ['http', 'node:http', 'https', 'node:https', 'pino'];
