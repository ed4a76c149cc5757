import type { Session } from '../domain/model.ts';

/** Values middleware puts on the Hono context for the handlers. */
export type AppEnv = {
  Variables: {
    requestId: string;
    tenantId: string;
    session: Session;
  };
};
