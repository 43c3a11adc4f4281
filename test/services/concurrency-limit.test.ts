// The cap on concurrent argon2id derivations: never more than `max` at once, the rest in
// arrival order, and a place is given back however a task ends. No timing: tasks finish
// when the test says so.
import { describe, expect, it } from 'vitest';
import { ConcurrencyLimit } from '../../src/services/concurrency-limit.ts';
import { DEFAULT_ARGON2, PasswordHasher } from '../../src/services/password-hasher.ts';
import { PASSWORD } from '../helpers.ts';

/** A task that runs until `finish` or `fail` is called, recording when it started. */
function controlledTask(started: number[], id: number) {
  let finish!: () => void;
  let fail!: (error: Error) => void;
  const done = new Promise<number>((resolve, reject) => {
    finish = () => resolve(id);
    fail = reject;
  });
  return {
    task: () => {
      started.push(id);
      return done;
    },
    finish: () => finish(),
    fail: (error: Error) => fail(error),
  };
}

const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

describe('ConcurrencyLimit', () => {
  it('runs at most max tasks at once and starts the others in arrival order as places free up', async () => {
    const limit = new ConcurrencyLimit(2);
    const started: number[] = [];
    const tasks = Array.from({ length: 5 }, (_, i) => controlledTask(started, i));
    const results = tasks.map((t) => limit.run(t.task));
    let finished = 0;
    let most = 0;
    for (const t of tasks) {
      await settle();
      // Counted from the tasks' own side: started and not yet finished.
      most = Math.max(most, started.length - finished);
      expect(started).toEqual([0, 1, 2, 3, 4].slice(0, Math.min(5, finished + 2)));
      t.finish();
      finished++;
    }
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect([limit.running, limit.waiting]).toEqual([0, 0]);
  });

  it('gives the place of a failed task to the next one', async () => {
    const limit = new ConcurrencyLimit(1);
    const started: number[] = [];
    const first = controlledTask(started, 1);
    const second = controlledTask(started, 2);
    const failed = limit.run(first.task);
    const next = limit.run(second.task);
    await settle();
    expect(started).toEqual([1]);
    first.fail(new Error('derivation failed'));
    await expect(failed).rejects.toThrow('derivation failed');
    await settle();
    expect(started).toEqual([1, 2]);
    second.finish();
    expect(await next).toBe(2);
    expect(limit.running).toBe(0);
  });

  it('refuses a max that is not a positive integer', () => {
    for (const max of [0, -1, 1.5, Number.NaN]) expect(() => new ConcurrencyLimit(max)).toThrow(RangeError);
  });
});

describe('PasswordHasher under a concurrency limit', () => {
  it('runs at most max derivations at once, and every hash still verifies', async () => {
    const limit = new ConcurrencyLimit(2);
    const hasher = new PasswordHasher({ ...DEFAULT_ARGON2, memory: 8 * 1024, passes: 1 }, limit);
    const hashes = Array.from({ length: 6 }, () => hasher.hash(PASSWORD));
    // Derivations start synchronously up to the cap; the rest queue.
    expect([limit.running, limit.waiting]).toEqual([2, 4]);
    const stored = await Promise.all(hashes);
    expect([limit.running, limit.waiting]).toEqual([0, 0]);
    const checks = stored.map((hash) => hasher.verify(PASSWORD, hash));
    expect([limit.running, limit.waiting]).toEqual([2, 4]);
    expect(await Promise.all(checks)).toEqual(Array(6).fill(true));
  });
});
