import type {
  ActingClient,
  ActivityAction,
  ActivityBounds,
  ActivityEntry,
  ActivityQuery,
  ActivityRef,
  ActivityRepository,
  TodoFields,
  Via,
  WriteContext,
} from '../types.ts';
import { isoTime } from './iso-time.ts';
import { type PgDatabase, type Statement, statement } from './pg-database.ts';
import { announcement } from './postgres-change-signals.ts';

export interface ActivityRow {
  seq: number;
  at: string;
  todo_id: string;
  action: ActivityAction;
  fields: (keyof TodoFields)[];
  version: number;
  via: Via;
  client_kind: ActingClient['kind'] | null;
  client_id: string | null;
  client_name: string | null;
}

const COLUMNS = `seq, ${isoTime('at')} AS at, todo_id, action, fields, version, via, client_kind, client_id, client_name`;

// The column values were written by recordEntry() from the same unions (and CHECKed).
export const toEntry = (row: ActivityRow): ActivityEntry => ({
  id: row.seq,
  at: row.at,
  todoId: row.todo_id,
  action: row.action,
  fields: row.fields,
  version: row.version,
  via: row.via,
  client:
    row.client_kind === null || row.client_id === null
      ? null
      : { kind: row.client_kind, id: row.client_id, name: row.client_name },
});

// Entries deleted per write once a user is over the bound: one falls off per write in the
// steady state; a few more let the log shrink to a lowered bound as the user keeps writing.
const TRIM_PER_WRITE = 8;

/**
 * The parameters every statement that records an entry starts with: $1 the user, $2 the time,
 * $3 the interface, $4 and $5 the acting client's kind and id, $6 the entries to keep. A
 * statement's own parameters follow from $7.
 */
export function contextValues(context: WriteContext): unknown[] {
  const { actor } = context;
  return [
    actor.userId,
    context.at,
    actor.via,
    actor.client?.kind ?? null,
    actor.client?.id ?? null,
    context.keepActivity,
  ];
}

/**
 * The tail of a write statement that records its activity entry, as data-modifying CTEs after
 * the write's own: `counter` is a CTE that incremented the user's activity_seq and returned
 * `id, activity_seq` (holding the user's row lock to the commit, so entries of one user commit
 * in the order of their ids, whichever process wrote them); the other arguments are SQL
 * expressions over the statement's CTEs for the todo id, action, fields and version. The
 * acting client's name is looked up now and stored with the entry, so the log keeps saying who
 * acted after a client is renamed or gone. The entry is announced to every process at commit
 * (ChangeSignals). The statement returns the entry's row.
 */
export function recordEntry(options: {
  counter: string;
  from?: string;
  todoId: string;
  action: string;
  fields: string;
  version: string;
}): string {
  const from = options.from ? `, ${options.from}` : '';
  return `entry AS (
     INSERT INTO activity (user_id, seq, at, todo_id, action, fields, version, via, client_kind, client_id, client_name)
     SELECT c.id, c.activity_seq, $2::timestamptz, ${options.todoId}, ${options.action}, ${options.fields},
       ${options.version}, $3, $4::text, $5::text,
       CASE $4::text
         WHEN 'agent_token' THEN (SELECT name FROM agent_tokens WHERE id = $5::text AND user_id = c.id)
         WHEN 'oauth_client' THEN (SELECT name FROM oauth_clients WHERE id = $5::text)
       END
     FROM ${options.counter} c${from}
     RETURNING ${COLUMNS}
   ),
   trimmed AS (
     DELETE FROM activity WHERE id IN (
       SELECT a.id FROM activity a, entry e
       WHERE a.user_id = $1 AND a.seq <= e.seq - $6::bigint ORDER BY a.seq LIMIT ${TRIM_PER_WRITE})
   )
   SELECT entry.*, ${announcement('entry.seq', '$1')} AS announced FROM entry`;
}

const FIND = statement(
  `SELECT user_id, ${COLUMNS} FROM activity
   WHERE (user_id, seq) IN (SELECT * FROM unnest($1::text[], $2::bigint[]))`,
);
const AFTER = statement(
  `SELECT ${COLUMNS} FROM activity WHERE user_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`,
);
const BOUNDS = statement(
  `SELECT activity_seq AS latest, (SELECT min(seq) FROM activity WHERE user_id = users.id) AS oldest
   FROM users WHERE id = $1`,
);
// The oldest rows by storage order, of which those written before the cutoff go: the cost of
// one call is bounded by `limit` however large the table, and needs no index on time.
const PRUNE = statement(
  `DELETE FROM activity WHERE id IN (
     SELECT id FROM (SELECT id, at FROM activity ORDER BY id LIMIT $2) oldest WHERE at < $1::timestamptz)
   RETURNING id`,
);

const listStatement = (where: string) =>
  statement(`SELECT ${COLUMNS} FROM activity WHERE user_id = $1 ${where} ORDER BY seq DESC LIMIT $2`);
// $3 the todo, $4 the id to page before (whichever are present, in that order).
const LIST: Record<'all' | 'todo', Record<'first' | 'next', Statement>> = {
  all: { first: listStatement(''), next: listStatement('AND seq < $3') },
  todo: { first: listStatement('AND todo_id = $3'), next: listStatement('AND todo_id = $3 AND seq < $4') },
};

export class PostgresActivityRepository implements ActivityRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async list(userId: string, query: ActivityQuery): Promise<ActivityEntry[]> {
    const values: unknown[] = [userId, query.limit];
    if (query.todoId !== undefined) values.push(query.todoId);
    if (query.before !== undefined) values.push(query.before);
    const chosen =
      LIST[query.todoId === undefined ? 'all' : 'todo'][query.before === undefined ? 'first' : 'next'];
    return (await this.#db.rows<ActivityRow>(chosen, values)).map(toEntry);
  }

  async find(refs: readonly ActivityRef[]): Promise<{ userId: string; entry: ActivityEntry }[]> {
    if (refs.length === 0) return [];
    const rows = await this.#db.rows<ActivityRow & { user_id: string }>(FIND, [
      refs.map((ref) => ref.userId),
      refs.map((ref) => ref.id),
    ]);
    return rows.map((row) => ({ userId: row.user_id, entry: toEntry(row) }));
  }

  async after(userId: string, afterId: number, limit: number): Promise<ActivityEntry[]> {
    return (await this.#db.rows<ActivityRow>(AFTER, [userId, afterId, limit])).map(toEntry);
  }

  async bounds(userId: string): Promise<ActivityBounds> {
    const [row] = await this.#db.rows<ActivityBounds>(BOUNDS, [userId]);
    return row ?? { latest: 0, oldest: null };
  }

  async pruneOlderThan(cutoff: string, limit: number): Promise<number> {
    return (await this.#db.rows(PRUNE, [cutoff, limit])).length;
  }
}
