import { parseArgs } from 'node:util';
import { UsageError, type Command } from '../../src/cli/usage.ts';

export const PARTS = ['overhead', 'collector', 'freshness', 'footprint'] as const;

export const USAGE = `usage: npm run bench -- [--parts ${PARTS.join(',')}] [--smoke] [--json <file>]

  --parts LIST            the parts to run, in this order (default all)
  --smoke                 run each part briefly, only to prove it still produces numbers
  --json FILE             also write the reports as JSON to FILE
  --help                  show this help`;

export interface BenchArgs {
  parts: string[];
  smoke: boolean;
  json: string | undefined;
  help: boolean;
}

/** `npm run bench` arguments; a bad one is a UsageError (exit 2 with the usage, src/cli/usage.ts). */
export function parseBenchArgs(argv: string[]): BenchArgs {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        parts: { type: 'string', default: PARTS.join(',') },
        smoke: { type: 'boolean', default: false },
        json: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const parts = values.parts
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const unknown = parts.filter((p) => !(PARTS as readonly string[]).includes(p));
  if (!values.help && (unknown.length > 0 || parts.length === 0)) throw new UsageError(`unknown part(s) ${unknown.join(', ') || '(none given)'}`);
  return { parts, smoke: values.smoke, json: values.json, help: values.help };
}

export const benchCommand: Command<BenchArgs> = { name: 'bench', usage: USAGE, parse: parseBenchArgs };
