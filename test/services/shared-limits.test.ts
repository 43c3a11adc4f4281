// Rate limits kept in PostgreSQL hold across processes: two stores on one database stand for
// two processes. The budgets are spent together, parallel guesses split over both processes
// still get only the budget's worth checked, and an attempt a dead process left pending stops
// counting after its deadline.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { createServices } from '../../src/compose.ts';
import type { Store } from '../../src/repositories/types.ts';
import { SharedLoginThrottle, SharedRateBudget } from '../../src/services/shared-limits.ts';
import { openPostgresTestStore } from '../engines.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';

const CONFIG = {
  publicUrl: 'http://localhost',
  tokenTtlSeconds: 3600,
  maxTodosPerUser: 100,
  jwtSecret: 'x'.repeat(32),
};
const PASSWORD = 'correct horse battery staple';
const MINUTE = 60_000;

describe('rate limits shared through PostgreSQL', () => {
  const adminUrl = inject('postgresAdminUrl');
  let url: string;
  let stores: Store[];

  beforeEach(async () => {
    url = await createDatabase(adminUrl);
    const open = () => openPostgresTestStore(url, 10);
    stores = [await open(), await open()];
  });
  afterEach(async () => {
    await Promise.all(stores.map((store) => store.close()));
    await dropDatabase(adminUrl, url);
  });

  const limitsOf = (store: Store) => {
    if (!store.limits) throw new Error('a PostgreSQL store shares its limits');
    return store.limits;
  };

  it('spends one budget from two processes together, exactly to its capacity, then says how long to wait', async () => {
    const policy = { capacity: 7, windowMs: MINUTE };
    const budgets = stores.map((store) => new SharedRateBudget(limitsOf(store), 'calls', policy));
    const waits = await Promise.all(Array.from({ length: 20 }, (_, i) => budgets[i % 2]?.take('user-1')));
    expect(waits.filter((wait) => wait === 0)).toHaveLength(7);
    for (const wait of waits.filter((wait) => wait !== 0)) expect(wait).toBeGreaterThanOrEqual(1);
    expect(await budgets[0]?.take('user-2')).toBe(0); // another key, another budget
  });

  it('refills a shared budget with time, as the in-process one does', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const budget = new SharedRateBudget(
      limitsOf(stores[0] as Store),
      'calls',
      { capacity: 2, windowMs: MINUTE },
      () => now,
    );
    expect([await budget.take('k'), await budget.take('k')]).toEqual([0, 0]);
    expect(await budget.take('k')).toBe(30);
    now += 30_000;
    expect(await budget.take('k')).toBe(0);
  });

  it('checks only ten of twenty parallel guesses split over two processes, and refuses the rest', async () => {
    const [first, second] = stores.map((store) => createServices(store, CONFIG));
    if (!first || !second) throw new Error('two processes expected');
    await first.auth.register({ username: 'alice', password: PASSWORD }, 'seed');
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        (i % 2 ? first : second).auth
          .login({ username: 'alice', password: 'wrong password!!' }, '203.0.113.5')
          .then(
            () => 'signed in',
            (error: { code?: string }) => error.code,
          ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome === 'unauthorized')).toHaveLength(10);
    expect(outcomes.filter((outcome) => outcome === 'rate_limited')).toHaveLength(10);
    // The owner from an address with no failure still signs in, through either process.
    await expect(
      second.auth.login({ username: 'alice', password: PASSWORD }, '198.51.100.9'),
    ).resolves.toMatchObject({
      tokenType: 'Bearer',
    });
  });

  it('stops counting an attempt left pending by a process that died, after its deadline', async () => {
    let now = Date.parse('2026-06-01T00:00:00Z');
    const policies = {
      perAddress: { capacity: 50, windowMs: 15 * MINUTE },
      perUsernameAndAddress: { capacity: 1, windowMs: 15 * MINUTE },
      perUsername: { capacity: 100, windowMs: 15 * MINUTE },
    };
    const options = { now: () => now, pendingTtlMs: 5_000, pollMs: 5 };
    const [first, second] = stores.map(limitsOf);
    if (!first || !second) throw new Error('two processes expected');
    const dying = new SharedLoginThrottle(first, policies, options);
    const admitted = await dying.admit('bob', '203.0.113.7');
    expect('attempt' in admitted).toBe(true);
    // Never settled: while it may still fail, the one-failure budget has no room for another
    // attempt, which another process refuses (when it may not wait) or holds (when it may).
    const impatient = new SharedLoginThrottle(second, policies, { ...options, maxWaiting: 0 });
    expect(await impatient.admit('bob', '203.0.113.7')).toEqual({ retryAfter: 1 });
    const patient = new SharedLoginThrottle(second, policies, options).admit('bob', '203.0.113.7');
    now += 5_001;
    expect('attempt' in (await patient)).toBe(true);
  });
});
