/** docker-compose.yml as the tests see it: merge keys applied, `${VAR:-default}` resolvable. */
import { readYaml } from './repo.ts';

export interface ComposeHealthcheck {
  test?: string | string[];
  disable?: boolean;
}

export interface ComposeService {
  image?: string;
  build?: string | { context: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: Array<string | { target: number; published?: string | number; host_ip?: string }>;
  volumes?: Array<string | { type: string; source?: string; target: string; read_only?: boolean }>;
  healthcheck?: ComposeHealthcheck;
  depends_on?: string[] | Record<string, { condition: string }>;
  mem_limit?: string | number;
  deploy?: { resources?: { limits?: { memory?: string } } };
  restart?: string;
  profiles?: string[];
}

export interface ComposeFile {
  name?: string;
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/** The parsed compose file. */
export const loadCompose = (): ComposeFile => readYaml<ComposeFile>('docker-compose.yml');

const VARIABLE = /\$\{([A-Z0-9_]+)(?::?-([^}]*))?\}/g;

/** Replaces `${VAR:-default}` by its default (what compose uses when .env does not set VAR). */
export const withDefaults = (text: string): string =>
  text.replace(VARIABLE, (whole, _name: string, fallback: string | undefined) => {
    if (fallback === undefined) throw new Error(`${whole} has no default: compose would need it set`);
    return fallback;
  });

/** Every `${VAR:-default}` in `text`. */
export const variablesIn = (text: string): Array<{ name: string; fallback: string | undefined }> =>
  [...text.matchAll(VARIABLE)].map((match) => ({ name: match[1] ?? '', fallback: match[2] }));

/** The environment of a service as a map. */
export const environmentOf = (service: ComposeService): Record<string, string> => {
  const env = service.environment ?? {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((entry) => {
        const [key, ...rest] = entry.split('=');
        return [key ?? '', rest.join('=')];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env).map(([key, value]) => [key, String(value ?? '')]));
};

/** Container-side port numbers a service publishes. */
export const publishedContainerPorts = (service: ComposeService): number[] =>
  (service.ports ?? []).map((port) => {
    if (typeof port !== 'string') return port.target;
    const last = withDefaults(port).split(':').at(-1) ?? '';
    return Number(last.split('/')[0]);
  });
