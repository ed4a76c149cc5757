import { describe, expect, it } from 'vitest';
import { UnauthorizedError } from '../../src/domain/errors.ts';
import type { User } from '../../src/domain/model.ts';
import { UserService } from '../../src/domain/users.ts';
import { ScryptPasswordHasher, scryptParameters } from '../../src/infra/password-hasher.ts';
import { Semaphore } from '../../src/infra/semaphore.ts';
import { recordingLogger } from './middleware-app.ts';

// A low cost keeps the unit tests fast; the properties do not depend on it.
const COST = 1_024;

/** The hasher the service gets, recording every verify() call with the parameters it derived with. */
function recordingHasher(concurrency = 2) {
  const real = new ScryptPasswordHasher({ cost: COST, concurrency });
  const verified: Array<{ password: string; params: ReturnType<typeof scryptParameters> }> = [];
  const hasher = {
    dummyHash: real.dummyHash,
    hash: (password: string) => real.hash(password),
    verify: (password: string, stored: string) => {
      verified.push({ password, params: scryptParameters(stored) });
      return real.verify(password, stored);
    },
  };
  return { real, hasher, verified };
}

async function serviceWithOneUser() {
  const { real, hasher, verified } = recordingHasher();
  const user: User = {
    id: 'u-1',
    tenantId: 'acme',
    email: 'ann@example.com',
    name: 'Ann',
    signupSource: 'web',
    createdAt: new Date().toISOString(),
  };
  const passwordHash = await real.hash('correct-horse-battery');
  const service = new UserService({
    users: {
      create: async () => undefined,
      findById: async () => undefined,
      findCredentials: async (_tenant, email) => (email === user.email ? { user, passwordHash } : undefined),
    },
    hasher,
    sessions: { create: async () => 'token-1', find: async () => undefined },
    cache: { get: async () => undefined, set: async () => {}, delete: async () => {} },
    activeUsers: { record: async () => {} },
    logger: recordingLogger(),
    sessionTtlSeconds: 60,
    cacheTtlSeconds: 60,
  });
  return { service, verified, passwordHash };
}

describe('login costs the same for an unknown email as for a wrong password', () => {
  it('derives once, with the same scrypt parameters, on both paths, and answers the same error', async () => {
    const { service, verified, passwordHash } = await serviceWithOneUser();
    const wrong = await service.login('acme', 'ann@example.com', 'wrong-password').catch((e: unknown) => e);
    const unknown = await service.login('acme', 'nobody@example.com', 'wrong-password').catch((e: unknown) => e);
    expect(verified).toEqual([
      { password: 'wrong-password', params: scryptParameters(passwordHash) },
      { password: 'wrong-password', params: scryptParameters(passwordHash) },
    ]);
    expect(verified[1]!.params).toEqual({ cost: COST, blockSize: 8, parallelism: 1 });
    for (const error of [wrong, unknown]) {
      expect(error).toBeInstanceOf(UnauthorizedError);
      expect(error).toMatchObject({ code: 'invalid_credentials', message: 'email or password is wrong' });
    }
  });

  it('still signs the right password in', async () => {
    const { service } = await serviceWithOneUser();
    await expect(service.login('acme', 'Ann@Example.com', 'correct-horse-battery')).resolves.toMatchObject({ token: 'token-1' });
  });

  it('the dummy hash has the hasher parameters of a real hash and matches no password', async () => {
    const hasher = new ScryptPasswordHasher({ cost: COST });
    expect(scryptParameters(hasher.dummyHash)).toEqual(scryptParameters(await hasher.hash('x')));
    await expect(hasher.verify('', hasher.dummyHash)).resolves.toBe(false);
  });
});

describe('hashing concurrency is bounded', () => {
  it('runs at most `concurrency` derivations at once; the others wait their turn and all complete', async () => {
    const hasher = new ScryptPasswordHasher({ cost: COST, concurrency: 1 });
    const stored = await hasher.hash('pw-1');
    expect(hasher.slots.limit).toBe(1);
    const calls = [hasher.verify('pw-1', stored), hasher.verify('nope', stored), hasher.verify('pw-1', hasher.dummyHash)];
    // A free slot is taken synchronously, so the state right after starting three is deterministic.
    expect({ active: hasher.slots.active, waiting: hasher.slots.waiting }).toEqual({ active: 1, waiting: 2 });
    expect(await Promise.all(calls)).toEqual([true, false, false]);
    expect({ active: hasher.slots.active, waiting: hasher.slots.waiting }).toEqual({ active: 0, waiting: 0 });
  });

  it('the semaphore hands a released slot to the longest waiter and never exceeds its limit', async () => {
    const semaphore = new Semaphore(2);
    const gates = [0, 1, 2, 3].map(() => Promise.withResolvers<void>());
    const started: number[] = [];
    let peak = 0;
    const runs = gates.map((gate, i) =>
      semaphore.run(async () => {
        started.push(i);
        peak = Math.max(peak, semaphore.active);
        await gate.promise;
      }),
    );
    expect({ active: semaphore.active, waiting: semaphore.waiting }).toEqual({ active: 2, waiting: 2 });
    gates[1]!.resolve();
    await runs[1];
    gates[0]!.resolve();
    gates[2]!.resolve();
    gates[3]!.resolve();
    await Promise.all(runs);
    expect(started.slice(2)).toEqual([2, 3]);
    expect(peak).toBe(2);
    expect(semaphore.active).toBe(0);
    expect(() => new Semaphore(0)).toThrow(RangeError);
  });

  it('releases the slot when the task fails', async () => {
    const semaphore = new Semaphore(1);
    await expect(semaphore.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(semaphore.active).toBe(0);
  });
});
