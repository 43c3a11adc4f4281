// The change feed: services publish every committed change of a user's todos, edges (SSE,
// MCP notifications) subscribe. An interface with an in-process implementation (one process,
// SQLite) and one across processes (shared-change-feed.ts, over PostgreSQL LISTEN/NOTIFY).
import type { ActivityEntry } from '../repositories/types.ts';

/** One committed change, as the activity entry that records it (its id orders the user's changes). */
export interface ChangeEvent {
  userId: string;
  entry: ActivityEntry;
}

export type ChangeListener = (event: ChangeEvent) => void;

/** Whose events a listener takes: a feed that must read an event to deliver it reads only these. */
export interface ChangeInterest {
  has(userId: string): boolean;
  /** The users it takes events of now. */
  users(): Iterable<string>;
}

export interface ChangeFeed {
  /** Called after the change's transaction committed. Never throws: the write has succeeded. */
  publish(event: ChangeEvent): void;
  /**
   * Every event published from now on, each once, to this process's listener (only those of
   * the users `interest` names, when given). Events of one user may arrive out of order (two
   * writes that commit close together): a listener that needs order uses the entry ids.
   */
  subscribe(listener: ChangeListener, interest?: ChangeInterest): () => void;
}

/** Delivers to this process's listeners, synchronously; a listener that throws is reported and skipped. */
export class InProcessChangeFeed implements ChangeFeed {
  readonly #listeners = new Set<ChangeListener>();
  readonly #onListenerError: (error: unknown) => void;

  constructor(onListenerError: (error: unknown) => void) {
    this.#onListenerError = onListenerError;
  }

  publish(event: ChangeEvent): void {
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        this.#onListenerError(error);
      }
    }
  }

  subscribe(listener: ChangeListener): () => void {
    // A wrapper per subscription: the same function subscribed twice is two subscriptions.
    const own: ChangeListener = (event) => listener(event);
    this.#listeners.add(own);
    return () => this.#listeners.delete(own);
  }
}

/**
 * One subscription to a feed, routed by user: an edge holding many streams pays for an event
 * only with the streams of the user it belongs to, and no listener ever sees another user's.
 */
export class ChangesByUser {
  readonly #feed: ChangeFeed;
  readonly #byUser = new Map<string, Set<ChangeListener>>();
  #unsubscribe: (() => void) | undefined;

  constructor(feed: ChangeFeed) {
    this.#feed = feed;
  }

  subscribe(userId: string, listener: ChangeListener): () => void {
    let own = this.#byUser.get(userId);
    if (!own) {
      own = new Set();
      this.#byUser.set(userId, own);
    }
    const entry: ChangeListener = (event) => listener(event);
    own.add(entry);
    this.#unsubscribe ??= this.#feed.subscribe((event) => this.#deliver(event), {
      has: (user) => this.#byUser.has(user),
      users: () => this.#byUser.keys(),
    });
    return () => {
      const set = this.#byUser.get(userId);
      if (!set?.delete(entry) || set.size > 0) return;
      this.#byUser.delete(userId);
      if (this.#byUser.size > 0) return;
      this.#unsubscribe?.();
      this.#unsubscribe = undefined;
    };
  }

  #deliver(event: ChangeEvent): void {
    const own = this.#byUser.get(event.userId);
    if (!own) return;
    // A copy: a listener may unsubscribe (its stream closed) while the event is delivered.
    // One that throws must not rob the others; the first error reaches the feed's report.
    let failure: { error: unknown } | undefined;
    for (const listener of [...own]) {
      try {
        listener(event);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }
}
