import { parseArgs } from 'node:util';
import { UsageError } from '../cli/usage.ts';
import { MAX_PROFILE_SECONDS } from './on-demand.ts';

export const USAGE = `usage: npm run profile -- --service api|payments [--seconds 30] [--heap] [--url URL] [--admin-token T] [--out DIR] [--top N]

Takes a CPU profile (or, with --heap, a heap snapshot) of a running service through its admin
endpoint (POST /admin/profile), without restarting it. Writes the .cpuprofile (Chrome DevTools,
speedscope) and a flame graph (.svg, any browser), then prints the functions with the most self time.

  --service      api (http://127.0.0.1:8080) or payments (http://127.0.0.1:8081)
  --seconds      CPU profile length, 1 to ${MAX_PROFILE_SECONDS} (default 30; the service enforces the bound)
  --heap         a heap snapshot instead (.heapsnapshot: Chrome DevTools, Memory tab)
  --url          the service's base URL, when not the default above
  --admin-token  the service's ADMIN_TOKEN (default: the ADMIN_TOKEN environment variable)
  --out          directory for the files (default: profiles)
  --top          how many functions (or heap types) to print (default 15)
  --help         show this help`;

const SERVICES: Record<string, string> = { api: 'http://127.0.0.1:8080', payments: 'http://127.0.0.1:8081' };

export interface ProfileOptions {
  service: string;
  baseUrl: string;
  seconds: number;
  heap: boolean;
  token: string;
  outDir: string;
  top: number;
  help: boolean;
}

export function parseProfileArgs(argv: string[], env: { ADMIN_TOKEN?: string | undefined }): ProfileOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        service: { type: 'string' },
        seconds: { type: 'string', default: '30' },
        heap: { type: 'boolean', default: false },
        url: { type: 'string' },
        'admin-token': { type: 'string' },
        out: { type: 'string', default: 'profiles' },
        top: { type: 'string', default: '15' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const help = values.help;
  const service = values.service ?? '';
  if (!help && !(service in SERVICES)) throw new UsageError(`--service must be one of ${Object.keys(SERVICES).join(', ')}`);
  const seconds = Number(values.seconds);
  // Only a well-formed number is checked here; the bound is the service's to enforce (it answers 400).
  if (!Number.isInteger(seconds) || seconds < 1) throw new UsageError(`--seconds "${values.seconds}" is not a whole number of seconds`);
  const top = Number(values.top);
  if (!Number.isInteger(top) || top < 1) throw new UsageError(`--top "${values.top}" is not a positive whole number`);
  const token = values['admin-token'] ?? env.ADMIN_TOKEN ?? '';
  if (!help && token === '')
    throw new UsageError('the admin token is required: --admin-token or ADMIN_TOKEN (the one the service was started with)');
  return { service, baseUrl: values.url ?? SERVICES[service] ?? '', seconds, heap: values.heap, token, outDir: values.out, top, help };
}
