/**
 * docker-compose.yml + docker-compose.gateway.yml (the agent + gateway overlay) as the real Compose
 * loader resolves them, for the static compose tests (tests/static/support/compose-config.ts has the
 * loader of the other variants).
 */
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { composeBin, type ResolvedCompose } from '../static/support/compose-config.ts';
import { repoPath } from '../static/support/repo.ts';

export const GATEWAY_OVERLAY = 'docker-compose.gateway.yml';

/** The overlay over docker-compose.yml, with the `load` profile (loadgen included) unless told otherwise. */
export function resolveGatewayCompose(envFile: string, profiles: string[] = ['load']): ResolvedCompose {
  const args = [
    ...['docker-compose.yml', GATEWAY_OVERLAY].flatMap((file) => ['-f', repoPath(file)]),
    '--project-directory',
    repoPath(),
    '--env-file',
    envFile,
    ...profiles.flatMap((profile) => ['--profile', profile]),
    'config',
    '--format',
    'json',
  ];
  const output = execFileSync(composeBin(), args, {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? tmpdir() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as ResolvedCompose;
}
