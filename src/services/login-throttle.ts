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
import type { RateLimiter } from './rate-limiter.ts';

/** An admitted attempt; report how it ended. Later reports are ignored. */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
  /** Ended without a verdict (an unexpected error): frees its place, counts nothing. */
  abandoned(): void;
}

export type Admission = { attempt: LoginAttempt } | { retryAfter: number };

/** Cross-process implementations (a shared database) can follow: the interface is asynchronous. */
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
    const name = username.toLowerCase();
    const { perAddress, perUsernameAndAddress, perUsername } = this.#limits;
    const budgets: Budget[] = [
      [perAddress, `a ${address}`],
      [perUsernameAndAddress, `p ${JSON.stringify([name, address])}`],
      [perUsername, `u ${name}`],
    ];
    for (;;) {
      const verdict = this.#verdict(budgets);
      if (verdict === 'admit') return { attempt: this.#begin(budgets) };
      if (verdict !== 'wait') return { retryAfter: verdict };
      if (this.#waiters.size >= this.#maxWaiting) return { retryAfter: 1 };
      await new Promise<void>((resolve) => this.#waiters.add(resolve));
    }
  }

  /** 'admit', 'wait' (pending attempts may yet free the budget), or the seconds to wait. */
  #verdict(budgets: Budget[]): 'admit' | 'wait' | number {
    const [, pair] = budgets as [Budget, Budget, Budget];
    // An address with no failure (and none in progress) for this username passes the
    // username-wide ceiling: that ceiling must not lock the account's owner out.
    const freshPair = this.#pendingOf(pair) === 0 && pair[0].remaining(pair[1]) >= pair[0].capacity;
    const applicable = freshPair ? budgets.filter((budget) => budget !== budgets[2]) : budgets;
    let wait = false;
    let retryAfter = 0;
    for (const budget of applicable) {
      const [limiter, key] = budget;
      const pending = this.#pendingOf(budget);
      if (limiter.remaining(key) - pending >= 1) continue;
      if (pending > 0) wait = true;
      else retryAfter = Math.max(retryAfter, limiter.retryAfter(key));
    }
    if (retryAfter > 0) return retryAfter;
    return wait ? 'wait' : 'admit';
  }

  #begin(budgets: Budget[]): LoginAttempt {
    for (const budget of budgets) this.#pending.set(budget[1], this.#pendingOf(budget) + 1);
    let settled = false;
    const settle = (outcome: 'success' | 'failure' | 'none') => {
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
      if (outcome === 'success') budgets[1]?.[0].reset(budgets[1][1]);
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
