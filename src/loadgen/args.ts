import { parseArgs } from 'node:util';
import { z } from 'zod';
import { parseDuration, UsageError } from '../cli/usage.ts';
import { missingTokenMessage } from './missing-token.ts';
import { SCENARIO_NAMES } from './scenario-names.ts';
import { SCENARIOS } from './scenarios.ts';

export const USAGE = `Usage: npm run load -- [options]

  --target URL            api base URL (default http://127.0.0.1:8080, env API_URL)
  --rate N                arrivals per second (open model; default 20)
  --duration D            run time, e.g. 60s, 5m (default 60s)
  --ramp D                grow the rate linearly over D before holding it (default 0s)
  --ramp-from N           rate at the start of the ramp (default 1)
  --concurrency N         most requests in flight; arrivals beyond are counted as dropped (default 256)
  --scenario NAME         ${SCENARIO_NAMES.join(' | ')} (default mixed)
  --tenants LIST          comma-separated tenants (default acme,globex,initech)
  --users N               signed-in users per tenant (default 5)
  --max-p95 D             fail (exit 1) if p95 latency exceeds D, e.g. 500ms
  --max-p99 D             fail if p99 latency exceeds D
  --max-error-rate P      fail if the share of failed requests exceeds P, e.g. 1%
  --payments-url URL      payments base URL for failure scenarios (default http://127.0.0.1:8081, env PAYMENTS_URL)
  --admin-token T         admin token for failure scenarios, required by them (env ADMIN_TOKEN)
  --json                  print the summary as JSON
  --help                  show this help`;

/** "1%" or "0.01" → 0.01. */
export function parseRatio(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(%)?$/.exec(text.trim());
  if (!match) throw new UsageError(`invalid rate "${text}" (use e.g. 1% or 0.01)`);
  const value = match[2] ? Number(match[1]) / 100 : Number(match[1]);
  if (value > 1) throw new UsageError(`rate "${text}" is above 100%`);
  return value;
}

const optionsSchema = z.object({
  target: z.url({ message: '--target must be a URL' }),
  paymentsUrl: z.url({ message: '--payments-url must be a URL' }),
  rate: z.number().positive({ message: '--rate must be > 0' }).max(100_000),
  rampFrom: z.number().min(0),
  concurrency: z.number().int().min(1).max(10_000),
  users: z.number().int().min(1).max(1_000),
  scenario: z.enum(SCENARIO_NAMES, { message: `--scenario must be one of ${SCENARIO_NAMES.join(', ')}` }),
  tenants: z.array(z.string().regex(/^[a-z0-9-]+$/)).min(1),
});

export interface LoadOptions extends z.infer<typeof optionsSchema> {
  durationMs: number;
  rampMs: number;
  maxP95Ms?: number;
  maxP99Ms?: number;
  maxErrorRate?: number;
  adminToken?: string;
  json: boolean;
  help: boolean;
}

const number = (flag: string, text: string) => {
  const value = Number(text);
  if (!Number.isFinite(value)) throw new UsageError(`${flag} must be a number, got "${text}"`);
  return value;
};

/** Parses the command line; throws UsageError with a message meant for the user. */
export function parseLoadArgs(argv: string[], env: Record<string, string | undefined> = {}): LoadOptions {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        target: { type: 'string' },
        rate: { type: 'string', default: '20' },
        duration: { type: 'string', default: '60s' },
        ramp: { type: 'string', default: '0s' },
        'ramp-from': { type: 'string', default: '1' },
        concurrency: { type: 'string', default: '256' },
        scenario: { type: 'string', default: 'mixed' },
        tenants: { type: 'string', default: 'acme,globex,initech' },
        users: { type: 'string', default: '5' },
        'max-p95': { type: 'string' },
        'max-p99': { type: 'string' },
        'max-error-rate': { type: 'string' },
        'payments-url': { type: 'string' },
        'admin-token': { type: 'string' },
        json: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const result = optionsSchema.safeParse({
    target: parsed.target ?? env.API_URL ?? 'http://127.0.0.1:8080',
    paymentsUrl: parsed['payments-url'] ?? env.PAYMENTS_URL ?? 'http://127.0.0.1:8081',
    rate: number('--rate', parsed.rate!),
    rampFrom: number('--ramp-from', parsed['ramp-from']!),
    concurrency: number('--concurrency', parsed.concurrency!),
    users: number('--users', parsed.users!),
    scenario: parsed.scenario,
    tenants: parsed
      .tenants!.split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  });
  if (!result.success) throw new UsageError(result.error.issues.map((i) => i.message).join('; '));
  const adminToken = parsed['admin-token'] ?? env.ADMIN_TOKEN;
  const fault = SCENARIOS[result.data.scenario].fault;
  if (fault !== undefined && !adminToken && !parsed.help) throw new UsageError(missingTokenMessage(result.data.scenario, fault.service));
  const durationMs = parseDuration(parsed.duration!, '--duration');
  if (durationMs <= 0) throw new UsageError('--duration must be > 0');
  return {
    ...result.data,
    durationMs,
    rampMs: parseDuration(parsed.ramp!, '--ramp'),
    ...(parsed['max-p95'] ? { maxP95Ms: parseDuration(parsed['max-p95'], '--max-p95') } : {}),
    ...(parsed['max-p99'] ? { maxP99Ms: parseDuration(parsed['max-p99'], '--max-p99') } : {}),
    ...(parsed['max-error-rate'] ? { maxErrorRate: parseRatio(parsed['max-error-rate']) } : {}),
    ...(adminToken ? { adminToken } : {}),
    json: parsed.json!,
    help: parsed.help!,
  };
}
