/**
 * What every command line (`npm run load`, `verify`, `profile`, `bench`, the services) shares: the error that means "the
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

/** Where a command writes and how it ends; tests pass their own to run a command's parse in-process. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  exit(code: number): never;
}

export const processIo: CliIo = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  exit: (code) => process.exit(code),
};

/** A command line: its name in messages, its usage text and its parser (which throws UsageError). */
export interface Command<T extends { help: boolean }> {
  name: string;
  usage: string;
  parse(argv: string[]): T;
}

/**
 * The one parse/usage/exit path of every command: a UsageError prints the message and the usage on
 * stderr and exits 2; --help prints the usage on stdout and exits 0; anything else is the options.
 */
export function parseCommandLine<T extends { help: boolean }>(command: Command<T>, argv = process.argv.slice(2), io = processIo): T {
  let options: T;
  try {
    options = command.parse(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    io.err(`${command.name}: ${error.message}\n\n${command.usage}\n`);
    return io.exit(2);
  }
  if (options.help) {
    io.out(`${command.usage}\n`);
    return io.exit(0);
  }
  return options;
}
