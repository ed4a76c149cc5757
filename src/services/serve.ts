import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import type { Hono } from 'hono';
import { answerClientError } from '../http/client-error.ts';

/** Starts the Node HTTP server for a Hono app and resolves once it listens. */
export function listen(app: Hono<any>, port: number, hostname: string): Promise<Server> {
  return new Promise((resolve) => {
    const server = serve({ fetch: app.fetch, port, hostname }, () => resolve(server as Server)) as Server;
    // Keep-alive longer than typical load balancer idle timeouts, so they close first (no 502s).
    server.keepAliveTimeout = 65_000;
    server.on('clientError', answerClientError);
  });
}
