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
import type { Db } from './database.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface ActivityRow {
  seq: number;
  at: string;
  todo_id: string;
  action: ActivityAction;
  fields: string;
  version: number;
  via: Via;
  client_kind: ActingClient['kind'] | null;
  client_id: string | null;
  client_name: string | null;
}

const COLUMNS = 'seq, at, todo_id, action, fields, version, via, client_kind, client_id, client_name';

// The column values were written by SqliteActivityWriter from the same unions (and CHECKed).
const toEntry = (row: ActivityRow): ActivityEntry => ({
  id: row.seq,
  at: row.at,
  todoId: row.todo_id,
  action: row.action,
  fields: row.fields === '' ? [] : (row.fields.split(' ') as (keyof TodoFields)[]),
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

type Statement = ReturnType<Db['prepare']>;

/** Records activity entries; used by the todo repository inside its own write transactions. */
export class SqliteActivityWriter {
  readonly #nextSeq;
  readonly #insert: Record<ActingClient['kind'] | 'person', Statement>;
  readonly #trim;

  constructor(db: Db) {
    this.#nextSeq = db
      .prepare<[string], number>(
        'UPDATE users SET activity_seq = activity_seq + 1 WHERE id = ? RETURNING activity_seq',
      )
      .pluck();
    const insert = (clientName: string) =>
      db.prepare(
        `INSERT INTO activity (user_id, seq, at, todo_id, action, fields, version, via, client_kind, client_id, client_name)
         VALUES (@userId, @seq, @at, @todoId, @action, @fields, @version, @via, @clientKind, @clientId, ${clientName})
         RETURNING ${COLUMNS}`,
      );
    // The acting client's name is looked up when the entry is written and stored with it, so
    // the log keeps saying who acted after a client is renamed or its record is gone, and
    // reading the log joins no table another feature owns. One statement per kind of client.
    this.#insert = {
      person: insert('NULL'),
      agent_token: insert('(SELECT name FROM agent_tokens WHERE id = @clientId AND user_id = @userId)'),
      oauth_client: insert('(SELECT name FROM oauth_clients WHERE id = @clientId)'),
    };
    this.#trim = db.prepare<{ userId: string; upTo: number }>(
      `DELETE FROM activity WHERE id IN (
         SELECT id FROM activity WHERE user_id = @userId AND seq <= @upTo ORDER BY seq LIMIT ${TRIM_PER_WRITE})`,
    );
  }

  /** Must run inside the transaction of the change it records. */
  record(
    context: WriteContext,
    change: {
      todoId: string;
      action: ActivityAction;
      fields: readonly (keyof TodoFields)[];
      version: number;
    },
  ): ActivityEntry {
    const { actor } = context;
    const seq = this.#nextSeq.get(actor.userId);
    if (seq === undefined) throw new Error('activity recorded for a user that does not exist');
    const row = this.#insert[actor.client?.kind ?? 'person'].get({
      userId: actor.userId,
      seq,
      at: context.at,
      todoId: change.todoId,
      action: change.action,
      fields: change.fields.join(' '),
      version: change.version,
      via: actor.via,
      clientKind: actor.client?.kind ?? null,
      clientId: actor.client?.id ?? null,
    }) as ActivityRow; // RETURNING always yields the inserted row
    if (seq > context.keepActivity)
      this.#trim.run({ userId: actor.userId, upTo: seq - context.keepActivity });
    return toEntry(row);
  }
}

export class SqliteActivityRepository implements ActivityRepository {
  readonly #connection: SqliteConnection;
  readonly #list: Record<'all' | 'todo', Record<'first' | 'next', Statement>>;
  readonly #find;
  readonly #after;
  readonly #bounds;
  readonly #prune;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    const list = (where: string) =>
      db.prepare(
        `SELECT ${COLUMNS} FROM activity WHERE user_id = @userId ${where} ORDER BY seq DESC LIMIT @limit`,
      );
    this.#list = {
      all: { first: list(''), next: list('AND seq < @before') },
      todo: { first: list('AND todo_id = @todoId'), next: list('AND todo_id = @todoId AND seq < @before') },
    };
    this.#find = db.prepare<[string, number], ActivityRow & { user_id: string }>(
      `SELECT user_id, ${COLUMNS} FROM activity WHERE user_id = ? AND seq = ?`,
    );
    this.#after = db.prepare<[string, number, number], ActivityRow>(
      `SELECT ${COLUMNS} FROM activity WHERE user_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.#bounds = db.prepare<[string], ActivityBounds>(
      `SELECT activity_seq AS latest, (SELECT min(seq) FROM activity WHERE user_id = users.id) AS oldest
       FROM users WHERE id = ?`,
    );
    // The oldest rows by storage order, of which those written before the cutoff go: the cost
    // of one call is bounded by `limit` however large the table, and needs no index on time.
    this.#prune = db.prepare<{ cutoff: string; limit: number }>(
      `DELETE FROM activity WHERE id IN (
         SELECT id FROM (SELECT id, at FROM activity ORDER BY id LIMIT @limit) WHERE at < @cutoff)`,
    );
  }

  async list(userId: string, query: ActivityQuery): Promise<ActivityEntry[]> {
    const statement =
      this.#list[query.todoId === undefined ? 'all' : 'todo'][query.before === undefined ? 'first' : 'next'];
    const rows = this.#connection.read(
      () =>
        statement.all({
          userId,
          limit: query.limit,
          ...(query.todoId === undefined ? {} : { todoId: query.todoId }),
          ...(query.before === undefined ? {} : { before: query.before }),
        }) as ActivityRow[],
    );
    return rows.map(toEntry);
  }

  async find(refs: readonly ActivityRef[]): Promise<{ userId: string; entry: ActivityEntry }[]> {
    return this.#connection.read(() =>
      refs.flatMap((ref) => {
        const row = this.#find.get(ref.userId, ref.id);
        return row ? [{ userId: row.user_id, entry: toEntry(row) }] : [];
      }),
    );
  }

  async after(userId: string, afterId: number, limit: number): Promise<ActivityEntry[]> {
    return this.#connection.read(() => this.#after.all(userId, afterId, limit)).map(toEntry);
  }

  async bounds(userId: string): Promise<ActivityBounds> {
    return this.#connection.read(() => this.#bounds.get(userId)) ?? { latest: 0, oldest: null };
  }

  async pruneOlderThan(cutoff: string, limit: number): Promise<number> {
    return this.#connection.write(() => this.#prune.run({ cutoff, limit })).changes;
  }
}
