/**
 * What the command-line tools (`npm run load`, `npm run verify`) share: the error that means "the
 * user typed something wrong" (exit 2 with the usage text, no stack trace) and the duration syntax.
 */
export class UsageError extends Error {
  override name = 'UsageError';
}

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;

/** "250ms", "1.5s", "2m", "1h" or a bare number of seconds → milliseconds; `flag` names the option in the error. */
export function parseDuration(text: string, flag = 'duration'): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!match) throw new UsageError(`${flag} "${text}" is not a duration (use e.g. 500ms, 30s, 5m)`);
  return Number(match[1]) * UNIT_MS[(match[2] ?? 's') as keyof typeof UNIT_MS];
}
