/**
 * At most `max` tasks run at once; the others wait in arrival order and start as places
 * free up. The password hasher runs each argon2id derivation through one: each takes ~35 ms
 * of a core and 19 MiB, so a sign-in storm with more derivations than cores only makes
 * them compete with the event loop (and each other) for the same cores.
 */
export class ConcurrencyLimit {
  readonly #max: number;
  readonly #queue: (() => void)[] = [];
  #running = 0;

  constructor(max: number) {
    if (!Number.isInteger(max) || max < 1) throw new RangeError(`max must be a positive integer, got ${max}`);
    this.#max = max;
  }

  get max(): number {
    return this.#max;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a place. */
  get waiting(): number {
    return this.#queue.length;
  }

  /** Runs the task when a place is free; its place is given back however it ends. */
  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.#running < this.#max) this.#running++;
    // A finishing task hands its place straight to the first waiter, so `running` never
    // drops below what is really running and no newcomer can overtake the queue.
    else await new Promise<void>((start) => this.#queue.push(start));
    try {
      return await task();
    } finally {
      const next = this.#queue.shift();
      if (next) next();
      else this.#running--;
    }
  }
}
