/**
 * docker-compose.yml as Docker Compose itself resolves it: `docker-compose config --format json`,
 * run with the binary scripts/build-tools.sh builds (tools/compose). The loader needs no engine and
 * no docker CLI. Missing binary = a thrown error, so every test that uses it fails loudly.
 */
import { execFileSync } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRepoFile, repoPath } from './repo.ts';
import { builtTool } from '../../helpers/build-tools.ts';
import { tempDir } from '../../helpers/temp-dirs.ts';

export interface ResolvedService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | null>;
  ports?: Array<{ host_ip?: string; target: number; published?: string }>;
  volumes?: Array<{ type: string; source?: string; target: string; read_only?: boolean }>;
  depends_on?: Record<string, { condition: string; required?: boolean }>;
  healthcheck?: { test?: string[] };
  mem_limit?: string | number;
  stop_grace_period?: string;
  profiles?: string[];
}

export interface ResolvedCompose {
  services: Record<string, ResolvedService>;
}

/** Absolute path of the docker-compose binary (COMPOSE_BIN, else what build-tools.sh prints). */
export const composeBin = (): string => {
  const bin = process.env.COMPOSE_BIN ?? builtTool('COMPOSE_BIN', ['compose']);
  accessSync(bin, constants.X_OK);
  return bin;
};

/** The compose files of a variant, relative to the repository root. */
export const VARIANTS = {
  default: { files: ['docker-compose.yml'], profiles: [] as string[] },
  load: { files: ['docker-compose.yml'], profiles: ['load'] },
  hostmetrics: { files: ['docker-compose.yml', 'docker-compose.hostmetrics.yml'], profiles: [] as string[] },
} as const;
export type Variant = keyof typeof VARIANTS;

/** `.env.example` as ordered NAME -> value pairs (comments and blank lines skipped). */
export const envExample = (): Map<string, string> =>
  new Map(
    readRepoFile('.env.example')
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#') && line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)] as [string, string]),
  );

/** Writes an env file in a fresh temporary directory and returns its path. */
export const writeEnvFile = (values: Map<string, string>): string => {
  const file = join(tempDir('otelkit-compose-'), 'test.env');
  writeFileSync(file, [...values].map(([name, value]) => `${name}=${value}\n`).join(''));
  return file;
};

/**
 * Resolves a variant with the given env file. Only PATH and HOME are passed: a variable of the
 * calling shell (LOG_LEVEL, COMPOSE_PROFILES, ...) would otherwise override the env file. An explicit
 * --env-file also keeps a developer's own .env out of the result.
 */
export const resolveCompose = (variant: Variant, envFile: string): ResolvedCompose =>
  composeConfig(VARIANTS[variant].files, VARIANTS[variant].profiles, envFile);

/** `docker compose -f … --profile … config --format json`: the real loader's resolved model. */
export function composeConfig(files: readonly string[], profiles: readonly string[], envFile: string): ResolvedCompose {
  const args = [
    ...files.flatMap((file) => ['-f', repoPath(file)]),
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

/** Memory limit in bytes from compose's resolved form (a number) or a "640m"/"1g" string. */
export const bytesOf = (limit: string | number | undefined): number => {
  if (typeof limit === 'number') return limit;
  const match = /^(\d+(?:\.\d+)?)\s*([kmg]?)i?b?$/i.exec(limit ?? '');
  if (match === null) throw new Error(`not a memory size: ${String(limit)}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(match[2] ?? '').toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Number(match[1]) * unit;
};

/** Seconds of a compose duration such as "15s", "1m30s" (undefined: compose's default, 10 s). */
export const secondsOf = (duration: string | undefined): number => {
  if (duration === undefined) return 10;
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0) throw new Error(`not a duration: ${duration}`);
  const scale = { ms: 0.001, s: 1, m: 60, h: 3600 } as const;
  return parts.reduce((sum, part) => sum + Number(part[1]) * scale[part[2] as keyof typeof scale], 0);
};
