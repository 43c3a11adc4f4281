// The change feed of several processes sharing one database: every committed write is announced
// by the database to every process (ChangeSignals, ids only), and each process reads from the
// activity log the entries its own listeners want. Local listeners are fed only from those
// announcements, the writing process's included, so no event is delivered twice.
import type { ActivityEntry, ActivityRef, ActivityRepository, ChangeSignals } from '../repositories/types.ts';
import type { ChangeEvent, ChangeFeed, ChangeInterest, ChangeListener } from './change-feed.ts';

// Entries read per user after a lost connection, from the last one delivered here.
const CATCH_UP = 100;
// Users whose last delivered entry is remembered, before those nobody listens to are forgotten.
const REMEMBERED_USERS = 10_000;

interface Subscriber {
  listener: ChangeListener;
  interest: ChangeInterest | undefined;
}

export interface SharedChangeFeedDeps {
  signals: ChangeSignals;
  activity: ActivityRepository;
  /** A listener that threw, or the log that could not be read: reported, never thrown. */
  onError: (error: unknown) => void;
}

export class SharedChangeFeed implements ChangeFeed {
  readonly #deps: SharedChangeFeedDeps;
  readonly #subscribers = new Set<Subscriber>();
  /** The newest entry delivered here per user: where to resume after a lost connection. */
  readonly #delivered = new Map<string, number>();
  #listening = false;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: SharedChangeFeedDeps) {
    this.#deps = deps;
  }

  /** Nothing to do: the write announced its entry in its own transaction. */
  publish(_event: ChangeEvent): void {}

  subscribe(listener: ChangeListener, interest?: ChangeInterest): () => void {
    const subscriber: Subscriber = { listener, interest };
    this.#subscribers.add(subscriber);
    if (!this.#listening) {
      this.#listening = true;
      this.#deps.signals.listen({
        announced: (refs) => this.#enqueue(() => this.#deliverAnnounced(refs)),
        lost: () => this.#enqueue(() => this.#catchUp()),
      });
    }
    return () => this.#subscribers.delete(subscriber);
  }

  /** One delivery at a time, in the order announcements arrived (commit order). */
  #enqueue(task: () => Promise<void>): void {
    this.#queue = this.#queue.then(task).catch((error: unknown) => this.#deps.onError(error));
  }

  async #deliverAnnounced(refs: readonly ActivityRef[]): Promise<void> {
    const wanted = refs.filter((ref) => this.#wanted(ref.userId));
    if (wanted.length === 0) return;
    const found = await this.#deps.activity.find(wanted);
    const key = (userId: string, id: number) => `${id} ${userId}`;
    const byRef = new Map(found.map((event) => [key(event.userId, event.entry.id), event]));
    for (const ref of wanted) {
      const event = byRef.get(key(ref.userId, ref.id));
      if (event) this.#deliver(event.userId, event.entry);
    }
  }

  /**
   * After a lost connection: for each user listened to here, the entries written since the last
   * one delivered (the newest, when none was), so that streams learn of what changed meanwhile.
   */
  async #catchUp(): Promise<void> {
    const users = new Set<string>();
    for (const { interest } of this.#subscribers) for (const user of interest?.users() ?? []) users.add(user);
    for (const userId of users) {
      const last = this.#delivered.get(userId);
      const entries =
        last === undefined
          ? await this.#deps.activity.list(userId, { limit: 1 })
          : await this.#deps.activity.after(userId, last, CATCH_UP);
      for (const entry of entries) this.#deliver(userId, entry);
    }
  }

  #deliver(userId: string, entry: ActivityEntry): void {
    this.#remember(userId, entry.id);
    const event: ChangeEvent = { userId, entry };
    for (const { listener, interest } of [...this.#subscribers]) {
      if (interest && !interest.has(userId)) continue;
      try {
        listener(event);
      } catch (error) {
        this.#deps.onError(error);
      }
    }
  }

  #wanted(userId: string): boolean {
    for (const { interest } of this.#subscribers) if (!interest || interest.has(userId)) return true;
    return false;
  }

  #remember(userId: string, id: number): void {
    if (id <= (this.#delivered.get(userId) ?? 0)) return;
    this.#delivered.set(userId, id);
    if (this.#delivered.size <= REMEMBERED_USERS) return;
    for (const user of this.#delivered.keys()) if (!this.#wanted(user)) this.#delivered.delete(user);
  }
}
