// Rate limits that hold across every process sharing one database: N processes must not mean
// N times the attempts. The rules are the in-process ones (rate-limiter.ts, login-throttle.ts);
// only where the buckets live differs. Keys are JSON-quoted, so that no user-supplied text can
// collide with another budget's key or carry a character the database refuses.
import { setTimeout as sleep } from 'node:timers/promises';
import type { BucketPolicy, BucketState, LimitRepository } from '../repositories/types.ts';
import {
  type Admission,
  type BudgetView,
  type LoginAttempt,
  type LoginThrottle,
  loginKeys,
  loginVerdict,
} from './login-throttle.ts';
import { fullAt, type RateBudget, secondsUntilOne, tokensAt } from './rate-limiter.ts';

export class SharedRateBudget implements RateBudget {
  readonly #limits: LimitRepository;
  readonly #name: string;
  readonly #policy: BucketPolicy;
  readonly #now: () => number;

  constructor(limits: LimitRepository, name: string, policy: BucketPolicy, now: () => number = Date.now) {
    this.#limits = limits;
    this.#name = name;
    this.#policy = policy;
    this.#now = now;
  }

  async take(key: string): Promise<number> {
    const now = this.#now();
    const outcome = await this.#limits.spend(`${this.#name} ${JSON.stringify(key)}`, this.#policy, now);
    return outcome.spent ? 0 : secondsUntilOne(tokensAt(outcome.bucket, this.#policy, now), this.#policy);
  }
}

export interface LoginPolicies {
  perAddress: BucketPolicy;
  perUsernameAndAddress: BucketPolicy;
  perUsername: BucketPolicy;
}

export interface SharedLoginThrottleOptions {
  /** Attempts of this process allowed to wait for pending ones at once; more are refused. */
  maxWaiting?: number;
  /**
   * How long an admitted attempt counts as pending at most: a process that dies mid-attempt
   * cannot hold a budget longer than this. Far above a password check's duration.
   */
  pendingTtlMs?: number;
  /** How often a waiting attempt looks again (another process cannot wake it). */
  pollMs?: number;
  now?: () => number;
}

type Budget = [policy: BucketPolicy, key: string];
type Stored = BucketState & { expiresAt: number };
type Outcome = 'success' | 'failure' | 'none';

export class SharedLoginThrottle implements LoginThrottle {
  readonly #limits: LimitRepository;
  readonly #policies: LoginPolicies;
  readonly #maxWaiting: number;
  readonly #pendingTtlMs: number;
  readonly #pollMs: number;
  readonly #now: () => number;
  #waiting = 0;

  constructor(limits: LimitRepository, policies: LoginPolicies, options: SharedLoginThrottleOptions = {}) {
    this.#limits = limits;
    this.#policies = policies;
    this.#maxWaiting = options.maxWaiting ?? 1_000;
    this.#pendingTtlMs = options.pendingTtlMs ?? 30_000;
    this.#pollMs = options.pollMs ?? 20;
    this.#now = options.now ?? Date.now;
  }

  async admit(username: string, address: string): Promise<Admission> {
    const [addressKey, pairKey, usernameKey] = loginKeys(username, address);
    const budgets: [Budget, Budget, Budget] = [
      [this.#policies.perAddress, `login ${JSON.stringify(addressKey)}`],
      [this.#policies.perUsernameAndAddress, `login ${JSON.stringify(pairKey)}`],
      [this.#policies.perUsername, `login ${JSON.stringify(usernameKey)}`],
    ];
    const keys = budgets.map(([, key]) => key);
    for (;;) {
      const now = this.#now();
      const verdict = await this.#limits.update<'admit' | 'wait' | number>(keys, (buckets) => {
        const view = ([policy, key]: Budget) => viewOf(buckets.get(key), policy, now);
        const verdict = loginVerdict([view(budgets[0]), view(budgets[1]), view(budgets[2])]);
        const next = new Map<string, Stored | null>();
        if (verdict !== 'admit') return { next, result: verdict };
        const pendingUntil = now + this.#pendingTtlMs;
        for (const [policy, key] of budgets) {
          const bucket = buckets.get(key);
          const tokens = tokensAt(bucket, policy, now);
          const pending = livePending(bucket, now) + 1;
          next.set(key, { tokens, at: now, pending, pendingUntil, expiresAt: pendingUntil });
        }
        return { next, result: verdict };
      });
      if (verdict === 'admit') return { attempt: this.#attempt(budgets) };
      if (verdict !== 'wait') return { retryAfter: verdict };
      if (this.#waiting >= this.#maxWaiting) return { retryAfter: 1 };
      this.#waiting++;
      try {
        await sleep(this.#pollMs * (0.5 + Math.random()));
      } finally {
        this.#waiting--;
      }
    }
  }

  #attempt(budgets: [Budget, Budget, Budget]): LoginAttempt {
    let settled = false;
    const settle = async (outcome: Outcome) => {
      if (settled) return;
      settled = true;
      await this.#settle(budgets, outcome);
    };
    return {
      succeeded: () => settle('success'),
      failed: () => settle('failure'),
      abandoned: () => settle('none'),
    };
  }

  async #settle(budgets: [Budget, Budget, Budget], outcome: Outcome): Promise<void> {
    const now = this.#now();
    await this.#limits.update(
      budgets.map(([, key]) => key),
      (buckets) => {
        const next = new Map<string, Stored | null>();
        budgets.forEach(([policy, key], index) => {
          const bucket = buckets.get(key);
          const pending = Math.max(0, livePending(bucket, now) - 1);
          let tokens = tokensAt(bucket, policy, now);
          if (outcome === 'failure') tokens = Math.max(0, tokens - 1);
          // The owner of this username knows the password at this address: forget its failures.
          if (outcome === 'success' && index === 1) tokens = policy.capacity;
          if (pending === 0 && tokens >= policy.capacity) {
            next.set(key, null);
            return;
          }
          const pendingUntil = pending > 0 ? (bucket?.pendingUntil ?? 0) : 0;
          const expiresAt = Math.max(fullAt(tokens, now, policy), pendingUntil);
          next.set(key, { tokens, at: now, pending, pendingUntil, expiresAt });
        });
        return { next, result: undefined };
      },
    );
  }
}

const livePending = (bucket: BucketState | undefined, now: number) =>
  bucket && bucket.pendingUntil > now ? bucket.pending : 0;

function viewOf(bucket: BucketState | undefined, policy: BucketPolicy, now: number): BudgetView {
  const remaining = tokensAt(bucket, policy, now);
  return {
    remaining,
    capacity: policy.capacity,
    pending: livePending(bucket, now),
    retryAfter: secondsUntilOne(remaining, policy),
  };
}
