/**
 * A token bucket per key: `capacity` events at once, refilled evenly over `windowMs`.
 * O(1) memory per key and per check; the number of keys is bounded so that a flood of
 * distinct keys (usernames, addresses) cannot grow memory without limit.
 */
export class RateLimiter {
  readonly #capacity: number;
  readonly #refillPerMs: number;
  readonly #maxKeys: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(options: { capacity: number; windowMs: number; maxKeys?: number; now?: () => number }) {
    this.#capacity = options.capacity;
    this.#refillPerMs = options.capacity / options.windowMs;
    this.#maxKeys = options.maxKeys ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** Events allowed for this key now (fractional while refilling). Consumes nothing. */
  remaining(key: string): number {
    return this.#tokens(key);
  }

  /** Seconds until one event is allowed for this key; 0 when it is allowed now. Consumes nothing. */
  retryAfter(key: string): number {
    const tokens = this.#tokens(key);
    return tokens >= 1 ? 0 : Math.max(1, Math.ceil((1 - tokens) / this.#refillPerMs / 1000));
  }

  /** Consumes one event when allowed; returns the same as retryAfter before consuming. */
  take(key: string): number {
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
    const bucket = this.#buckets.get(key);
    if (!bucket) return this.#capacity;
    return Math.min(this.#capacity, bucket.tokens + (this.#now() - bucket.at) * this.#refillPerMs);
  }

  #set(key: string, tokens: number): void {
    // Re-inserting moves the key to the end, so the first key in the map is the least recently used.
    this.#buckets.delete(key);
    if (tokens >= this.#capacity) return;
    if (this.#buckets.size >= this.#maxKeys) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    this.#buckets.set(key, { tokens, at: this.#now() });
  }
}
