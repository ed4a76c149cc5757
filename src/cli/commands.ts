/**
 * The kit's tools' command lines, as data: the entry points parse with these (through
 * parseCommandLine), and tests/unit/cli-help.test.ts runs each with --help in-process. The services'
 * own are in ./service-command.ts (a service must not load the tools' parsers).
 */
import { loadgenEnv } from '../config/loadgen-env.ts';
import { profileEnv } from '../config/profile-env.ts';
import { verifyEnv } from '../config/verify-env.ts';
import { parseLoadArgs, USAGE as LOAD_USAGE, type LoadOptions } from '../loadgen/args.ts';
import { parseProfileArgs, USAGE as PROFILE_USAGE, type ProfileOptions } from '../profiling/args.ts';
import { parseVerifyArgs, USAGE as VERIFY_USAGE, type VerifyOptions } from '../selfcheck/args.ts';
import type { Command } from './usage.ts';

export const loadCommand: Command<LoadOptions> = { name: 'loadgen', usage: LOAD_USAGE, parse: (argv) => parseLoadArgs(argv, loadgenEnv()) };
export const verifyCommand: Command<VerifyOptions> = { name: 'verify', usage: VERIFY_USAGE, parse: (argv) => parseVerifyArgs(argv, verifyEnv()) };
export const profileCommand: Command<ProfileOptions> = {
  name: 'profile',
  usage: PROFILE_USAGE,
  parse: (argv) => parseProfileArgs(argv, profileEnv()),
};
