/**
 * Every command the README shows answers --help: exit 0 and its usage on stdout. Each runs in-process
 * through the shared parse/usage/exit path (src/cli/usage.ts), so no service or backend starts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { benchCommand } from '../../scripts/bench/args.ts';
import { loadCommand, profileCommand, verifyCommand } from '../../src/cli/commands.ts';
import { serviceCommand } from '../../src/cli/service-command.ts';
import { parseCommandLine, type CliIo, type Command } from '../../src/cli/usage.ts';

const root = new URL('../../', import.meta.url);
const scripts = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** The npm script → the module it runs and the command line that module parses with. */
const COMMANDS: Record<string, { entry: string; command: Command<{ help: boolean }> }> = {
  load: { entry: 'src/cli/loadgen.ts', command: loadCommand },
  verify: { entry: 'src/cli/verify.ts', command: verifyCommand },
  profile: { entry: 'src/cli/profile.ts', command: profileCommand },
  bench: { entry: 'scripts/bench/index.ts', command: benchCommand },
  'start:api': { entry: 'src/services/api.ts', command: serviceCommand('api') },
  'start:payments': { entry: 'src/services/payments.ts', command: serviceCommand('payments') },
  'start:worker': { entry: 'src/services/worker.ts', command: serviceCommand('worker') },
};

class Exit {
  readonly code: number;
  constructor(code: number) {
    this.code = code;
  }
}

function run(command: Command<{ help: boolean }>, argv: string[]) {
  const io = { stdout: '', stderr: '', code: -1 };
  const cli: CliIo = {
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
    exit: (code) => {
      throw new Exit(code);
    },
  };
  try {
    parseCommandLine(command, argv, cli);
  } catch (error) {
    if (!(error instanceof Exit)) throw error;
    io.code = error.code;
  }
  return io;
}

describe('README commands answer --help', () => {
  const shown = [...readFileSync(new URL('README.md', root), 'utf8').matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]!);

  it('knows every npm script the README shows, and each runs the entry listed here', () => {
    for (const script of new Set(shown)) {
      expect(COMMANDS, `README shows npm run ${script}`).toHaveProperty([script]);
      expect(scripts[script], script).toContain(COMMANDS[script]!.entry);
    }
  });

  for (const [script, { entry, command }] of Object.entries(COMMANDS)) {
    it(`npm run ${script} -- --help (${entry}) exits 0 with its usage`, () => {
      const { code, stdout, stderr } = run(command, ['--help']);
      expect(code).toBe(0);
      expect(stdout).toMatch(/^usage: /i);
      expect(stdout).toContain('--help');
      expect(stderr).toBe('');
    });

    it(`the entry ${entry} parses with the shared command line`, () => {
      expect(readFileSync(new URL(entry, root), 'utf8')).toMatch(/parseCommandLine\(/);
    });
  }

  it('an unknown option exits 2 with the usage on stderr', () => {
    const { code, stdout, stderr } = run(benchCommand, ['--nope']);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/^bench: .*\n\nusage: /s);
  });
});
