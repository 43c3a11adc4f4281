import { setImmediate as yieldToRequests } from 'node:timers/promises';
import { z } from 'zod';
import type { ActivityBounds, ActivityEntry, ActivityRepository } from '../repositories/types.ts';
import type { ListActivityInput } from './activity-schemas.ts';
import { InvalidInputError } from './errors.ts';

export interface ActivityPage {
  /** Newest first. */
  items: ActivityEntry[];
  /** Pass back as `cursor` for older entries; null on the last page. */
  nextCursor: string | null;
}

export interface ActivityServiceDeps {
  activity: ActivityRepository;
  /** Entries older than this are deleted by prune(); the per-user bound is kept on every write. */
  retentionDays: number;
  now?: () => number;
}

// Rows deleted per statement while pruning by age: small enough that a statement is over in
// about a millisecond, and requests run between two of them.
const PRUNE_BATCH = 500;
const DAY_MS = 86_400_000;

const cursorSchema = z.strictObject({ b: z.int().min(1) });

/**
 * Reads the activity log (who changed what, through which interface) and keeps it bounded in
 * time. Entries are written by the todo repository in the transaction of each change.
 */
export class ActivityService {
  readonly #activity: ActivityRepository;
  readonly #retentionMs: number;
  readonly #now: () => number;
  #pruning: Promise<number> | undefined;

  constructor(deps: ActivityServiceDeps) {
    this.#activity = deps.activity;
    this.#retentionMs = deps.retentionDays * DAY_MS;
    this.#now = deps.now ?? Date.now;
  }

  async list(userId: string, input: ListActivityInput): Promise<ActivityPage> {
    const before = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
    // One row more than asked tells whether another page exists without a count query.
    const rows = await this.#activity.list(userId, { todoId: input.todoId, before, limit: input.limit + 1 });
    const items = rows.slice(0, input.limit);
    const last = items.at(-1);
    const nextCursor =
      rows.length > input.limit && last
        ? Buffer.from(JSON.stringify({ b: last.id })).toString('base64url')
        : null;
    return { items, nextCursor };
  }

  /** The entries after `afterId`, oldest first, at most `limit`: what a stream that saw `afterId` missed. */
  after(userId: string, afterId: number, limit: number): Promise<ActivityEntry[]> {
    return this.#activity.after(userId, afterId, limit);
  }

  /** The id of the user's last change, and of the oldest entry still kept. */
  bounds(userId: string): Promise<ActivityBounds> {
    return this.#activity.bounds(userId);
  }

  /**
   * Deletes every entry older than the retention, a batch at a time with the event loop free
   * between batches, so that requests never wait behind a large deletion. Concurrent calls
   * share one run. Resolves with the number deleted.
   */
  prune(): Promise<number> {
    this.#pruning ??= this.#prune().finally(() => {
      this.#pruning = undefined;
    });
    return this.#pruning;
  }

  /** Prunes now and then every `everyMs`; returns the function that stops it (after a run in progress). */
  startPruning(everyMs: number, onError: (error: unknown) => void): () => Promise<void> {
    const run = () => void this.prune().catch(onError);
    run();
    const timer = setInterval(run, everyMs).unref();
    return async () => {
      clearInterval(timer);
      await this.#pruning?.catch(() => {});
    };
  }

  async #prune(): Promise<number> {
    const cutoff = new Date(this.#now() - this.#retentionMs).toISOString();
    let deleted = 0;
    for (;;) {
      const batch = await this.#activity.pruneOlderThan(cutoff, PRUNE_BATCH);
      deleted += batch;
      if (batch < PRUNE_BATCH) return deleted;
      await yieldToRequests();
    }
  }
}

function decodeCursor(cursor: string): number {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))).b;
  } catch {
    throw new InvalidInputError([{ path: ['cursor'], message: 'is not a cursor from a previous page' }]);
  }
}
