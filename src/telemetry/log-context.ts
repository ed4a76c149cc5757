import { AsyncLocalStorage } from 'node:async_hooks';

/** Request fields bound to every log line written while a request is being served. */
export interface LogContext {
  request_id?: string;
  tenant_id?: string;
  user_id?: string;
  path?: string;
  method?: string;
}

const storage = new AsyncLocalStorage<LogContext>();

/** Runs `fn` with `context` bound to all log lines written inside it (awaited work included). */
export function runWithLogContext<T>(context: LogContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The mutable context of the current request (middleware adds tenant_id and user_id as they are known). */
export function currentLogContext(): LogContext | undefined {
  return storage.getStore();
}
