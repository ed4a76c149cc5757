import { z } from 'zod';

/** Reusable field parsers for environment variables (all arrive as strings). */
export const port = (fallback: number) => z.coerce.number().int().min(1).max(65535).default(fallback);

export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

export const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);

export const ratio = (fallback: number) => z.coerce.number().min(0).max(1).default(fallback);

export const url = (fallback: string) => z.url().default(fallback);

export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .default(fallback ? 'true' : 'false')
    .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const logLevel = z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info');

/**
 * Admin token for the runtime-tuning and failure-injection endpoints. No default: unset (or empty,
 * which is what compose passes for an unset variable) switches those endpoints off, so a deployment
 * never runs them behind a token that is written in this repository. At least 12 characters when set.
 */
export const adminToken = z.preprocess(
  (value) => (value === '' ? undefined : value),
  z.string().min(12, 'must be at least 12 characters (or unset, which switches the admin endpoints off)').optional(),
);

/**
 * Where continuous profiles are pushed (Pyroscope's HTTP API): an http(s) URL without a path,
 * because the client appends `/ingest` to it.
 */
export const profilingServerUrl = (fallback: string) =>
  z
    .url({ protocol: /^https?$/, message: 'expected an http(s) URL of the Pyroscope server, e.g. http://pyroscope:4040' })
    .refine((value) => !URL.canParse(value) || ['', '/'].includes(new URL(value).pathname), 'expected the server root (the client appends /ingest), e.g. http://pyroscope:4040')
    .default(fallback);
