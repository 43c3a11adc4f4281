import type { BucketChange, BucketPolicy, BucketState, LimitRepository, SpendOutcome } from '../types.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface BucketRow {
  key: string;
  tokens: number;
  at: number;
  pending: number;
  pending_until: number;
}

// One round trip per spend: the upsert refills the bucket, checks it holds an event and takes
// it, all under the row's lock. $2 capacity, $3 refill per millisecond, $4 now.
const REFILLED = 'least($2::float8, b.tokens + greatest(0, $4::int8 - b.at) * $3::float8)';
const SPEND = statement(
  `INSERT INTO rate_buckets AS b (key, tokens, at, expires_at)
   VALUES ($1, $2::float8 - 1, $4::int8, $4::int8 + ceil(1 / $3::float8)::int8)
   ON CONFLICT (key) DO UPDATE SET
     tokens = ${REFILLED} - 1,
     at = $4::int8,
     expires_at = greatest(b.pending_until, $4::int8 + ceil(($2::float8 - ${REFILLED} + 1) / $3::float8)::int8)
   WHERE ${REFILLED} >= 1
   RETURNING key`,
);
const READ = statement('SELECT key, tokens, at, pending, pending_until FROM rate_buckets WHERE key = $1');
// Sorted, so that two transactions over the same keys lock them in the same order.
const CREATE_MISSING = statement(
  `INSERT INTO rate_buckets (key, tokens, at, expires_at)
   SELECT key, 'Infinity'::float8, 0, 0 FROM unnest($1::text[]) AS key ORDER BY key
   ON CONFLICT (key) DO NOTHING`,
);
const LOCK = statement(
  `SELECT key, tokens, at, pending, pending_until FROM rate_buckets
   WHERE key = ANY($1::text[]) ORDER BY key FOR UPDATE`,
);
const WRITE = statement(
  `UPDATE rate_buckets SET tokens = $2, at = $3, pending = $4, pending_until = $5, expires_at = $6 WHERE key = $1`,
);
const FORGET = statement('DELETE FROM rate_buckets WHERE key = ANY($1::text[])');
const SWEEP = statement('DELETE FROM rate_buckets WHERE expires_at < $1');

// A bucket created only to be locked stands for "no bucket": full, nothing pending.
const isPlaceholder = (row: BucketRow) => row.tokens === Number.POSITIVE_INFINITY;

const toState = (row: BucketRow): BucketState => ({
  tokens: row.tokens,
  at: row.at,
  pending: row.pending,
  pendingUntil: row.pending_until,
});

export class PostgresLimitRepository implements LimitRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async spend(key: string, policy: BucketPolicy, now: number): Promise<SpendOutcome> {
    const refillPerMs = policy.capacity / policy.windowMs;
    if ((await this.#db.rows(SPEND, [key, policy.capacity, refillPerMs, now])).length === 1)
      return { spent: true };
    // Refused (the rare case): read the bucket so the caller can say how long to wait.
    const [row] = await this.#db.rows<BucketRow>(READ, [key]);
    return { spent: false, bucket: row ? toState(row) : { tokens: 0, at: now, pending: 0, pendingUntil: 0 } };
  }

  async update<T>(keys: readonly string[], change: BucketChange<T>): Promise<T> {
    const sorted = [...new Set(keys)].sort();
    return this.#db.transaction(async (tx) => {
      await tx.rows(CREATE_MISSING, [sorted]);
      const rows = await tx.rows<BucketRow>(LOCK, [sorted]);
      const current = new Map(
        rows.filter((row) => !isPlaceholder(row)).map((row) => [row.key, toState(row)]),
      );
      const { next, result } = change(current);
      const forget = sorted.filter((key) => next.get(key) === null || (!next.has(key) && !current.has(key)));
      for (const [key, state] of next) {
        if (state === null) continue;
        await tx.rows(WRITE, [
          key,
          state.tokens,
          state.at,
          state.pending,
          state.pendingUntil,
          state.expiresAt,
        ]);
      }
      if (forget.length) await tx.rows(FORGET, [forget]);
      return result;
    });
  }

  /** Deletes buckets that are full again with nothing pending: they hold no information. */
  async sweep(now: number): Promise<void> {
    await this.#db.rows(SWEEP, [now]);
  }
}
