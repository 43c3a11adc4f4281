import type { BucketPolicy } from '../repositories/types.ts';

/** A per-key event budget: the in-process RateLimiter, or one every process shares (shared-limits.ts). */
export interface RateBudget {
  /** Spends one event of `key` when allowed: 0, or the seconds to wait, spending nothing. */
  take(key: string): Promise<number>;
}

/** Builds the budget named `name` (a namespace for its keys) with the given shape and clock. */
export type RateBudgets = (name: string, policy: BucketPolicy, now?: () => number) => RateBudget;

/** Events a bucket holds at `now`, refilled evenly since it was last written. */
export function tokensAt(
  bucket: { tokens: number; at: number } | undefined,
  policy: BucketPolicy,
  now: number,
) {
  if (!bucket) return policy.capacity;
  const refilled = bucket.tokens + Math.max(0, now - bucket.at) * (policy.capacity / policy.windowMs);
  return Math.min(policy.capacity, refilled);
}

/** Seconds until a bucket holding `tokens` allows one event; 0 when it does now. */
export function secondsUntilOne(tokens: number, policy: BucketPolicy): number {
  if (tokens >= 1) return 0;
  return Math.max(1, Math.ceil(((1 - tokens) * policy.windowMs) / policy.capacity / 1000));
}

/** When a bucket holding `tokens` at `at` is full again, in milliseconds since the epoch. */
export function fullAt(tokens: number, at: number, policy: BucketPolicy): number {
  return at + Math.ceil(((policy.capacity - tokens) * policy.windowMs) / policy.capacity);
}

/**
 * A token bucket per key, in this process's memory: `capacity` events at once, refilled
 * evenly over `windowMs`. O(1) memory per key and per check; the number of keys is bounded
 * so that a flood of distinct keys (usernames, addresses) cannot grow memory without limit.
 */
export class RateLimiter implements RateBudget {
  readonly #policy: BucketPolicy;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { capacity: number; windowMs: number; maxKeys?: number; now?: () => number }) {
    this.#policy = { capacity: options.capacity, windowMs: options.windowMs };
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  get capacity(): number {
    return this.#policy.capacity;
  }

  /** Events allowed for this key now (fractional while refilling). Consumes nothing. */
  remaining(key: string): number {
    return this.#tokens(key);
  }

  /** Seconds until one event is allowed for this key; 0 when it is allowed now. Consumes nothing. */
  retryAfter(key: string): number {
    return secondsUntilOne(this.#tokens(key), this.#policy);
  }

  async take(key: string): Promise<number> {
    const wait = this.retryAfter(key);
    if (wait === 0) this.#set(key, this.#tokens(key) - 1);
    return wait;
  }

  /** Records one event even when the bucket is empty (used for failures that already happened). */
  record(key: string): void {
    this.#set(key, Math.max(0, this.#tokens(key) - 1));
  }

  reset(key: string): void {
    this.#buckets.delete(key);
  }

  #tokens(key: string): number {
    return tokensAt(this.#buckets.get(key), this.#policy, this.#now());
  }

  #set(key: string, tokens: number): void {
    // Re-inserting moves the key to the end, so the first key in the map is the least recently used.
    this.#buckets.delete(key);
    if (tokens >= this.#policy.capacity) return;
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    this.#buckets.set(key, { tokens, at: this.#now() });
  }
}
