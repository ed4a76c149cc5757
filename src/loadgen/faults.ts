import { request } from 'undici';
import type { LoadOptions } from './args.ts';
import { missingTokenMessage } from './missing-token.ts';
import type { FaultToggle } from './scenarios.ts';

/** Switches a failure scenario's fault through the token-protected admin endpoint of payments or the api. */
export async function setFault(fault: FaultToggle, state: 'on' | 'off', options: LoadOptions): Promise<void> {
  if (!options.adminToken) throw new Error(missingTokenMessage(options.scenario, fault.service));
  const base = fault.service === 'payments' ? options.paymentsUrl : options.target;
  const path = fault.path ?? (fault.service === 'payments' ? '/admin/config' : '/admin/faults');
  const response = await request(new URL(path, base), {
    method: 'PUT',
    headers: { authorization: `Bearer ${options.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(state === 'on' ? fault.on : fault.off),
  });
  const text = await response.body.text();
  if (response.statusCode === 404)
    throw new Error(`${fault.service} ${path} answered 404: its admin endpoints are off (start ${fault.service} with ADMIN_TOKEN set)`);
  if (response.statusCode !== 200) throw new Error(`${fault.service} ${path} answered ${response.statusCode}: ${text}`);
}
