/**
 * docker-compose.yml + docker-compose.gateway.yml (the agent + gateway overlay) as the real Compose
 * loader resolves them, for the static compose tests (tests/static/support/compose-config.ts has the
 * loader of the other variants).
 */
import { composeConfig, type ResolvedCompose } from '../static/support/compose-config.ts';

export const GATEWAY_OVERLAY = 'docker-compose.gateway.yml';

/** The overlay over docker-compose.yml, with the `load` profile (loadgen included) unless told otherwise. */
export function resolveGatewayCompose(envFile: string, profiles: string[] = ['load']): ResolvedCompose {
  return composeConfig(['docker-compose.yml', GATEWAY_OVERLAY], profiles, envFile);
}
