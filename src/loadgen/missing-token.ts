import type { ScenarioName } from './scenario-names.ts';

/**
 * What a failure scenario says when it has no admin token. The services switch their admin endpoints
 * off when they were started without ADMIN_TOKEN (docs/security.md), so the message names both sides.
 */
export const missingTokenMessage = (scenario: ScenarioName, service: 'payments' | 'api'): string =>
  `scenario ${scenario} switches a fault on ${service} through its admin endpoint and needs the admin token: ` +
  `pass --admin-token T (or set ADMIN_TOKEN) with the token ${service} was started with; ` +
  `a service started without ADMIN_TOKEN has its admin endpoints off (docs/security.md)`;
