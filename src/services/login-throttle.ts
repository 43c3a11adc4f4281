// Sign-in throttling that counts failures, not attempts, and cannot be turned into a lockout.
//
// Scheme (OWASP Authentication cheat sheet: throttle, don't lock out):
// - per address, across usernames: one address cannot spray guesses over many accounts;
// - per username *and* address: one address cannot brute-force one account;
// - per username, across addresses: a ceiling on a distributed attack on one account. Once
//   it is reached, an address that has no failure for that username may still try: the
//   person whose name is being attacked signs in from their own address with their own
//   password, while each attacking address, after its first failure, waits.
// Only failures consume the budgets. Parallel attempts are accounted for while their password
// check runs ("pending"): an attempt that would exceed a budget if every pending one failed
// waits for them to finish instead of being refused, so sixty parallel sign-ins with the right
// password all succeed, and twenty parallel guesses still get only the budget's worth checked.
import { clientNetwork } from './client-network.ts';
import type { RateLimiter } from './rate-limiter.ts';

/** An admitted attempt; report how it ended. Later reports are ignored. */
export interface LoginAttempt {
  succeeded(): Promise<void>;
  failed(): Promise<void>;
  /** Ended without a verdict (an unexpected error): frees its place, counts nothing. */
  abandoned(): Promise<void>;
}

export type Admission = { attempt: LoginAttempt } | { retryAfter: number };

/** In this process (below), or across processes over a shared database (shared-limits.ts). */
export interface LoginThrottle {
  admit(username: string, address: string): Promise<Admission>;
}

export interface LoginThrottleLimits {
  perAddress: RateLimiter;
  perUsernameAndAddress: RateLimiter;
  perUsername: RateLimiter;
  /** Attempts allowed to wait for pending ones at once; more are refused. */
  maxWaiting?: number;
}

/** One budget as the rules see it: what it holds now, its size, attempts in progress. */
export interface BudgetView {
  remaining: number;
  capacity: number;
  pending: number;
  /** Seconds until it holds one event (0 when it does). */
  retryAfter: number;
}

/**
 * The rules, shared by both implementations: 'admit', 'wait' (pending attempts may yet free
 * the budget), or the seconds to wait. Budgets in order: per address, per username and
 * address, per username.
 */
export function loginVerdict(
  budgets: readonly [BudgetView, BudgetView, BudgetView],
): 'admit' | 'wait' | number {
  const [, pair, username] = budgets;
  // An address with no failure (and none in progress) for this username passes the
  // username-wide ceiling: that ceiling must not lock the account's owner out.
  const freshPair = pair.pending === 0 && pair.remaining >= pair.capacity;
  const applicable = freshPair ? budgets.filter((budget) => budget !== username) : budgets;
  let wait = false;
  let retryAfter = 0;
  for (const budget of applicable) {
    if (budget.remaining - budget.pending >= 1) continue;
    if (budget.pending > 0) wait = true;
    else retryAfter = Math.max(retryAfter, budget.retryAfter);
  }
  if (retryAfter > 0) return retryAfter;
  return wait ? 'wait' : 'admit';
}

/**
 * The keys of the three budgets of one attempt; the username is case-insensitive, and the
 * address counts as its network (an IPv6 client's whole /64, see client-network.ts).
 */
export function loginKeys(username: string, address: string): [string, string, string] {
  const name = username.toLowerCase();
  const network = clientNetwork(address);
  return [`a ${network}`, `p ${JSON.stringify([name, network])}`, `u ${name}`];
}

type Budget = [limiter: RateLimiter, key: string];

/** The one-process implementation, over in-memory token buckets. */
export class InProcessLoginThrottle implements LoginThrottle {
  readonly #limits: LoginThrottleLimits;
  readonly #maxWaiting: number;
  readonly #pending = new Map<string, number>();
  readonly #waiters = new Set<() => void>();

  constructor(limits: LoginThrottleLimits) {
    this.#limits = limits;
    this.#maxWaiting = limits.maxWaiting ?? 1_000;
  }

  async admit(username: string, address: string): Promise<Admission> {
    const { perAddress, perUsernameAndAddress, perUsername } = this.#limits;
    const [addressKey, pairKey, usernameKey] = loginKeys(username, address);
    const budgets: [Budget, Budget, Budget] = [
      [perAddress, addressKey],
      [perUsernameAndAddress, pairKey],
      [perUsername, usernameKey],
    ];
    for (;;) {
      const verdict = loginVerdict([this.#view(budgets[0]), this.#view(budgets[1]), this.#view(budgets[2])]);
      if (verdict === 'admit') return { attempt: this.#begin(budgets) };
      if (verdict !== 'wait') return { retryAfter: verdict };
      if (this.#waiters.size >= this.#maxWaiting) return { retryAfter: 1 };
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
  }

  #view(budget: Budget): BudgetView {
    const [limiter, key] = budget;
    return {
      remaining: limiter.remaining(key),
      capacity: limiter.capacity,
      pending: this.#pendingOf(budget),
      retryAfter: limiter.retryAfter(key),
    };
  }

  #begin(budgets: [Budget, Budget, Budget]): LoginAttempt {
    for (const budget of budgets) this.#pending.set(budget[1], this.#pendingOf(budget) + 1);
    let settled = false;
    const settle = async (outcome: 'success' | 'failure' | 'none') => {
      if (settled) return;
      settled = true;
      for (const budget of budgets) {
        const [limiter, key] = budget;
        const pending = this.#pendingOf(budget) - 1;
        if (pending > 0) this.#pending.set(key, pending);
        else this.#pending.delete(key);
        if (outcome === 'failure') limiter.record(key);
      }
      // The owner of this username knows the password at this address: forget its failures.
      if (outcome === 'success') budgets[1][0].reset(budgets[1][1]);
      const waiting = [...this.#waiters];
      this.#waiters.clear();
      for (const wake of waiting) wake();
    };
    return {
      succeeded: () => settle('success'),
      failed: () => settle('failure'),
      abandoned: () => settle('none'),
    };
  }

  #pendingOf([, key]: Budget): number {
    return this.#pending.get(key) ?? 0;
  }
}
