import type { Hono } from 'hono';
import { z } from 'zod';
import type { Logger } from '../domain/ports.ts';
import { createBaseApp, type BaseAppOptions } from './base-app.ts';
import type { AppEnv } from './context.ts';
import { readJson } from './validation.ts';

/** The part of Alertmanager's webhook payload (version 4) that the alert log keeps. */
const webhookSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupKey: z.string().optional(),
  alerts: z.array(
    z.object({
      status: z.enum(['firing', 'resolved']),
      labels: z.record(z.string(), z.string()),
      annotations: z.record(z.string(), z.string()).default({}),
      startsAt: z.string(),
      endsAt: z.string().optional(),
      fingerprint: z.string().optional(),
    }),
  ),
});

/**
 * The worker's HTTP side: health probes, and the Alertmanager webhook receiver that writes each
 * notification as a structured log line, so alerts can be read next to the logs in Grafana.
 */
export function createWorkerApp(options: BaseAppOptions & { logger: Logger }): Hono<AppEnv> {
  return createBaseApp(options, (app) => {
    app.post('/alerts/webhook', async (c) => {
      const payload = await readJson(c, webhookSchema);
      for (const alert of payload.alerts) {
        const fields = {
          alert_status: alert.status,
          alertname: alert.labels.alertname ?? 'unknown',
          severity: alert.labels.severity ?? 'none',
          alert_service: alert.labels.service_name,
          summary: alert.annotations.summary,
          runbook_url: alert.annotations.runbook_url,
          starts_at: alert.startsAt,
          receiver: payload.receiver,
        };
        if (alert.status === 'firing') options.logger.warn(fields, 'alert_firing');
        else options.logger.info(fields, 'alert_resolved');
      }
      return c.json({ received: payload.alerts.length });
    });
  });
}
