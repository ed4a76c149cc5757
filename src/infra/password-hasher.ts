import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { PasswordHasher } from '../domain/ports.ts';
import { Semaphore } from './semaphore.ts';

const KEY_LENGTH = 32;
const BLOCK_SIZE = 8;
const PARALLELISM = 1;

/** The scrypt parameters as a hash stores them (`scrypt$N$r$p$salt$key`). */
export interface ScryptParameters {
  cost: number;
  blockSize: number;
  parallelism: number;
}

export interface ScryptHasherOptions {
  /** N; default 2^14, the interactive-login cost recommended by the scrypt paper (16 MiB with r=8). */
  cost?: number;
  /** How many derivations may run at once (src/config/service-config.ts, SCRYPT_CONCURRENCY). */
  concurrency?: number;
}

function derive(password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(password, salt, KEY_LENGTH, options, (error, key) => (error ? reject(error) : resolve(key))),
  );
}

/** The parameters of a stored hash; undefined when it is not one of ours. */
export function scryptParameters(stored: string): ScryptParameters | undefined {
  const [scheme, n, r, p, salt, key] = stored.split('$');
  if (scheme !== 'scrypt' || !salt || !key) return undefined;
  return { cost: Number(n), blockSize: Number(r), parallelism: Number(p) };
}

/**
 * scrypt (a memory-hard KDF from node:crypto, run on the libuv pool so the event loop stays free).
 * Parameters are stored with each hash so they can be raised later without breaking old hashes.
 *
 * Every derivation (signup and login) goes through one semaphore: libuv has 4 threads shared with
 * DNS and file I/O, and each scrypt call holds one for tens of milliseconds and 16 MiB, so unbounded
 * logins could starve the process. Extra callers wait their turn instead.
 */
export class ScryptPasswordHasher implements PasswordHasher {
  private readonly cost: number;
  /** Observable bound on concurrent derivations (limit, active, waiting). */
  readonly slots: Semaphore;
  /**
   * A hash of no password, with the current parameters: login verifies against it when the email is
   * unknown, so that path costs exactly one derivation like a wrong password does (no timing oracle).
   */
  readonly dummyHash: string;

  constructor(options: ScryptHasherOptions = {}) {
    this.cost = options.cost ?? 16_384;
    this.slots = new Semaphore(options.concurrency ?? 2);
    this.dummyHash = this.format(randomBytes(16), randomBytes(KEY_LENGTH));
  }

  async hash(password: string): Promise<string> {
    const salt = randomBytes(16);
    const key = await this.slots.run(() => derive(password, salt, { N: this.cost, r: BLOCK_SIZE, p: PARALLELISM }));
    return this.format(salt, key);
  }

  async verify(password: string, stored: string): Promise<boolean> {
    const params = scryptParameters(stored);
    const [, , , , salt, key] = stored.split('$');
    if (!params || !salt || !key) return false;
    const expected = Buffer.from(key, 'base64');
    const options = { N: params.cost, r: params.blockSize, p: params.parallelism };
    const actual = await this.slots.run(() => derive(password, Buffer.from(salt, 'base64'), options));
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }

  private format(salt: Buffer, key: Buffer): string {
    return `scrypt$${this.cost}$${BLOCK_SIZE}$${PARALLELISM}$${salt.toString('base64')}$${key.toString('base64')}`;
  }
}
