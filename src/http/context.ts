import type { Session } from '../domain/model.ts';

/** Values middleware puts on the Hono context for the handlers. */
export type AppEnv = {
  Variables: {
    requestId: string;
    tenantId: string;
    session: Session;
    /** Set by the not-found handler: no route matched, so the request has no `http.route`. */
    unmatchedRoute: boolean;
  };
};
