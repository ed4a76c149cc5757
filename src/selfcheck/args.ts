import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseDuration, UsageError } from '../cli/usage.ts';
import { BACKENDS, type Backend } from './check.ts';

/** Where each URL comes from: flag, environment variable, default (the compose ports on 127.0.0.1). */
const URLS = {
  api: ['api-url', 'API_URL', 'http://127.0.0.1:8080'],
  prometheus: ['prometheus-url', 'PROMETHEUS_URL', 'http://127.0.0.1:9090'],
  tempo: ['tempo-url', 'TEMPO_URL', 'http://127.0.0.1:3200'],
  loki: ['loki-url', 'LOKI_URL', 'http://127.0.0.1:3100'],
  grafana: ['grafana-url', 'GRAFANA_URL', 'http://127.0.0.1:3000'],
  alertmanager: ['alertmanager-url', 'ALERTMANAGER_URL', 'http://127.0.0.1:9093'],
  collectorHealth: ['collector-health-url', 'COLLECTOR_HEALTH_URL', 'http://127.0.0.1:13133/'],
  collectorMetrics: ['collector-metrics-url', 'COLLECTOR_METRICS_URL', 'http://127.0.0.1:8888/metrics'],
} as const;
type UrlKey = keyof typeof URLS;

export const DEFAULT_RULES_DIR = fileURLToPath(new URL('../../prometheus/rules', import.meta.url));

const urlLines = Object.values(URLS)
  .map(([flag, env, fallback]) => `  --${`${flag} URL`.padEnd(27)}default ${fallback} (env ${env})`)
  .join('\n');

export const USAGE = `Usage: npm run verify -- [options]

Sends one probe request (GET /api/products, tenant acme) to the api and reports whether its trace,
logs and metrics arrived, plus Grafana provisioning, alert rules and the Collector's own health.

  --backends LIST             backends that exist: ${BACKENDS.join(',')} (default all,
                              env VERIFY_BACKENDS); the others are reported "not checked"
  --timeout D                 how long to wait for the probe's telemetry, e.g. 30s, 2m (default 60s)
  --interval D                pause between two looks at a backend (default 2s)
  --tenant T                  X-Tenant-ID of the probe (default acme)
${urlLines}
  --grafana-user U            default admin (env GRAFANA_USER, else GRAFANA_ADMIN_USER)
  --grafana-password P        default admin (env GRAFANA_PASSWORD, else GRAFANA_ADMIN_PASSWORD)
  --rules-dir DIR             alert rule files whose alerts Prometheus must have (default prometheus/rules)
  --json                      print the report as JSON
  --help                      show this help

Exit codes: 0 every checked signal arrived, 1 something is missing or nothing was checked, 2 usage error.`;

export interface VerifyOptions {
  urls: Record<UrlKey, string>;
  backends: Backend[];
  timeoutMs: number;
  intervalMs: number;
  tenant: string;
  grafana: { user: string; password: string };
  rulesDir: string;
  json: boolean;
  help: boolean;
}

function parseBackends(text: string, source: string): Backend[] {
  const names = text
    .split(',')
    .map((b) => b.trim().toLowerCase())
    .filter(Boolean);
  if (names.length === 0) throw new UsageError(`${source} is empty: name at least one of ${BACKENDS.join(', ')}`);
  if (names.includes('all')) return [...BACKENDS];
  const unknown = names.filter((b) => !(BACKENDS as readonly string[]).includes(b));
  if (unknown.length > 0)
    throw new UsageError(`${source}: unknown backend ${unknown.map((b) => `"${b}"`).join(', ')} (known: ${BACKENDS.join(', ')})`);
  return BACKENDS.filter((b) => names.includes(b));
}

const stringOption = { type: 'string' } as const;

/** Parses the command line (flags win over `env`); throws UsageError with a message for the user. */
export function parseVerifyArgs(argv: string[], env: Record<string, string | undefined> = {}): VerifyOptions {
  let values;
  try {
    values = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        ...Object.fromEntries(Object.values(URLS).map(([flag]) => [flag, stringOption])),
        backends: stringOption,
        timeout: { type: 'string', default: '60s' },
        interval: { type: 'string', default: '2s' },
        tenant: { type: 'string', default: 'acme' },
        'grafana-user': stringOption,
        'grafana-password': stringOption,
        'rules-dir': stringOption,
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values as Record<string, string | boolean | undefined>;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const str = (key: string) => values[key] as string | undefined;
  const urls = {} as Record<UrlKey, string>;
  for (const [key, [flag, name, fallback]] of Object.entries(URLS) as Array<[UrlKey, (typeof URLS)[UrlKey]]>) {
    const value = str(flag) ?? env[name] ?? fallback;
    const source = str(flag) !== undefined ? `--${flag}` : env[name] !== undefined ? name : 'default';
    if (!z.url({ protocol: /^https?$/ }).safeParse(value).success) throw new UsageError(`${source} "${value}" is not an http(s) URL`);
    urls[key] = value;
  }
  const backendsText = str('backends') ?? env.VERIFY_BACKENDS;
  const backendsSource = str('backends') !== undefined ? '--backends' : 'VERIFY_BACKENDS';
  const timeoutMs = parseDuration(str('timeout')!, '--timeout');
  if (timeoutMs <= 0 || timeoutMs > 600_000) throw new UsageError('--timeout must be > 0 and at most 10m');
  const intervalMs = parseDuration(str('interval')!, '--interval');
  if (intervalMs < 100 || intervalMs > 60_000) throw new UsageError('--interval must be between 100ms and 60s');
  const tenant = str('tenant')!;
  if (!/^[a-z0-9-]{1,64}$/.test(tenant)) throw new UsageError(`--tenant "${tenant}" is not a tenant id (lowercase letters, digits, -)`);
  return {
    urls,
    backends: backendsText === undefined ? [...BACKENDS] : parseBackends(backendsText, backendsSource),
    timeoutMs,
    intervalMs,
    tenant,
    grafana: {
      user: str('grafana-user') ?? env.GRAFANA_USER ?? 'admin',
      password: str('grafana-password') ?? env.GRAFANA_PASSWORD ?? 'admin',
    },
    rulesDir: str('rules-dir') ?? DEFAULT_RULES_DIR,
    json: values.json === true,
    help: values.help === true,
  };
}
