import { describeUpdate } from '../todo-change.ts';
import type {
  ActivityEntry,
  RecordedTodo,
  Todo,
  TodoChanges,
  TodoFields,
  TodoQuery,
  TodoRepository,
  TodoSortField,
  WriteContext,
} from '../types.ts';
import type { Db } from './database.ts';
import { SqliteActivityWriter } from './sqlite-activity-repository.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

/** A row of `todos` as SQLite returns it; exported for the benchmark's floors and the fault suite's checks. */
export interface TodoRow {
  id: string;
  title: string;
  description: string;
  priority: number;
  completed: number;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export const TODO_COLUMNS =
  'id, title, description, priority, completed, due_date, created_at, updated_at, version';

// The SQL expression each sort orders by; it must match an index in migrations.ts and
// todoSortKey() in types.ts, or keyset pagination skips or repeats rows.
const SORT_EXPRESSIONS: Record<TodoSortField, string> = {
  createdAt: 'created_at',
  updatedAt: 'updated_at',
  priority: 'priority',
  dueDate: "coalesce(due_date, '9999-12-31')",
};

const FIELD_COLUMNS: Record<keyof TodoFields, string> = {
  title: 'title',
  description: 'description',
  priority: 'priority',
  completed: 'completed',
  dueDate: 'due_date',
};

export function toTodo(row: TodoRow): Todo {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priority: row.priority,
    completed: row.completed === 1,
    dueDate: row.due_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

const toColumnValue = (value: TodoFields[keyof TodoFields]) =>
  typeof value === 'boolean' ? Number(value) : value;

type Statement = ReturnType<Db['prepare']>;

export class SqliteTodoRepository implements TodoRepository {
  readonly #connection: SqliteConnection;
  readonly #db: Db;
  readonly #activity: SqliteActivityWriter;
  readonly #get;
  readonly #insert;
  readonly #incrementCount;
  readonly #decrementCount;
  readonly #delete;
  readonly #deleteVersioned;
  // List and update statements depend on the filters or fields present; there are few
  // combinations, so each is prepared once and kept.
  readonly #statements = new Map<string, Statement>();
  // Each write and its activity entry commit together. The transactions are built once (per
  // call cost ~8 µs) and run IMMEDIATE: they take the write lock before their first read, so a
  // read-then-write never meets another process's commit in between (SQLITE_BUSY_SNAPSHOT).
  readonly #insertTransaction;
  readonly #updateTransaction;
  readonly #deleteTransaction;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#db = db;
    this.#activity = new SqliteActivityWriter(db);
    this.#get = db.prepare<[string, string], TodoRow>(
      `SELECT ${TODO_COLUMNS} FROM todos WHERE id = ? AND user_id = ?`,
    );
    this.#insert = db.prepare(
      `INSERT INTO todos (id, user_id, title, description, priority, completed, due_date, created_at, updated_at, version)
       VALUES (@id, @userId, @title, @description, @priority, @completed, @dueDate, @createdAt, @updatedAt, @version)`,
    );
    this.#incrementCount = db.prepare<[string, number]>(
      'UPDATE users SET todo_count = todo_count + 1 WHERE id = ? AND todo_count < ?',
    );
    this.#decrementCount = db.prepare<[string]>('UPDATE users SET todo_count = todo_count - 1 WHERE id = ?');
    this.#delete = db
      .prepare<[string, string], number>('DELETE FROM todos WHERE id = ? AND user_id = ? RETURNING version')
      .pluck();
    this.#deleteVersioned = db
      .prepare<[string, string, number], number>(
        'DELETE FROM todos WHERE id = ? AND user_id = ? AND version = ? RETURNING version',
      )
      .pluck();

    this.#insertTransaction = db.transaction(
      (context: WriteContext, todo: Todo, maxPerUser: number): RecordedTodo | undefined => {
        const { userId } = context.actor;
        // The counter update is the cap check: it changes no row when the user is full.
        if (this.#incrementCount.run(userId, maxPerUser).changes === 0) return undefined;
        this.#insert.run({ ...todo, userId, completed: Number(todo.completed) });
        const entry = this.#activity.record(context, {
          todoId: todo.id,
          action: 'created',
          fields: [],
          version: todo.version,
        });
        return { todo, entry };
      },
    );
    this.#updateTransaction = db.transaction(
      (
        context: WriteContext,
        id: string,
        statement: Statement,
        params: Record<string, unknown>,
      ): RecordedTodo | undefined => {
        const before = this.#get.get(id, context.actor.userId);
        // Inside the transaction a failed write surfaces at its COMMIT, so get() (one row) is safe
        // here; run on its own, get() would drop a failed autocommit's error (see SqliteConnection).
        const row = before && (statement.get(params) as TodoRow | undefined);
        if (!before || !row) return undefined;
        const todo = toTodo(row);
        const entry = this.#activity.record(context, {
          todoId: id,
          ...describeUpdate(toTodo(before), todo),
          version: todo.version,
        });
        return { todo, entry };
      },
    );
    this.#deleteTransaction = db.transaction(
      (context: WriteContext, id: string, expectedVersion: number | undefined): ActivityEntry | undefined => {
        const { userId } = context.actor;
        const version =
          expectedVersion === undefined
            ? this.#delete.get(id, userId)
            : this.#deleteVersioned.get(id, userId, expectedVersion);
        if (version === undefined) return undefined;
        this.#decrementCount.run(userId);
        return this.#activity.record(context, { todoId: id, action: 'deleted', fields: [], version });
      },
    );
  }

  #prepared(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  async list(userId: string, query: TodoQuery): Promise<Todo[]> {
    const where = ['user_id = @userId'];
    const params: Record<string, unknown> = { userId, limit: query.limit };
    if (query.completed !== undefined) {
      where.push('completed = @completed');
      params.completed = Number(query.completed);
    }
    if (query.priority !== undefined) {
      where.push('priority = @priority');
      params.priority = query.priority;
    }
    if (query.dueOnOrBefore !== undefined) {
      where.push('due_date IS NOT NULL AND due_date <= @dueOnOrBefore');
      params.dueOnOrBefore = query.dueOnOrBefore;
    }
    if (query.text !== undefined) {
      // LIKE with an escape character: the user's % and _ match themselves.
      where.push("(title LIKE @pattern ESCAPE '\\' OR description LIKE @pattern ESCAPE '\\')");
      params.pattern = `%${query.text.replace(/[\\%_]/g, '\\$&')}%`;
    }
    const sortExpression = SORT_EXPRESSIONS[query.sort];
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    if (query.after) {
      // Row-value comparison continues exactly after the last row of the previous page.
      where.push(`(${sortExpression}, id) ${query.order === 'asc' ? '>' : '<'} (@afterKey, @afterId)`);
      params.afterKey = query.after.key;
      params.afterId = query.after.id;
    }
    const sql = `SELECT ${TODO_COLUMNS} FROM todos WHERE ${where.join(' AND ')}
      ORDER BY ${sortExpression} ${direction}, id ${direction} LIMIT @limit`;
    const rows = this.#connection.read(() => this.#prepared(sql).all(params) as TodoRow[]);
    return rows.map(toTodo);
  }

  async get(userId: string, id: string): Promise<Todo | undefined> {
    const row = this.#connection.read(() => this.#get.get(id, userId));
    return row && toTodo(row);
  }

  async insert(context: WriteContext, todo: Todo, maxPerUser: number): Promise<RecordedTodo | undefined> {
    return this.#connection.write(() => this.#insertTransaction.immediate(context, todo, maxPerUser));
  }

  async update(
    context: WriteContext,
    id: string,
    fields: TodoChanges,
    expectedVersion?: number,
  ): Promise<RecordedTodo | undefined> {
    const names = (Object.keys(fields) as (keyof TodoFields)[]).filter((name) => fields[name] !== undefined);
    const assignments = names.map((name) => `${FIELD_COLUMNS[name]} = @${name}`);
    const params: Record<string, unknown> = { id, userId: context.actor.userId, updatedAt: context.at };
    for (const name of names) params[name] = toColumnValue(fields[name] as TodoFields[typeof name]);
    let sql = `UPDATE todos SET ${[...assignments, 'updated_at = @updatedAt', 'version = version + 1'].join(', ')}
      WHERE id = @id AND user_id = @userId`;
    if (expectedVersion !== undefined) {
      sql += ' AND version = @expectedVersion';
      params.expectedVersion = expectedVersion;
    }
    const statement = this.#prepared(`${sql} RETURNING ${TODO_COLUMNS}`);
    return this.#connection.write(() => this.#updateTransaction.immediate(context, id, statement, params));
  }

  async delete(
    context: WriteContext,
    id: string,
    expectedVersion?: number,
  ): Promise<ActivityEntry | undefined> {
    return this.#connection.write(() => this.#deleteTransaction.immediate(context, id, expectedVersion));
  }
}
