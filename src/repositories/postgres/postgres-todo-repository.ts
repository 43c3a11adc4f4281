import type { Todo, TodoChanges, TodoFields, TodoQuery, TodoRepository, TodoSortField } from '../types.ts';
import { holdsNul, isoDate, isoTime } from './iso-time.ts';
import { type PgDatabase, type Statement, statement } from './pg-database.ts';

/** A row of `todos` as this repository selects it; exported for the benchmark's floors and the tests' checks. */
export interface TodoRow {
  id: string;
  title: string;
  description: string;
  priority: number;
  completed: boolean;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export const TODO_COLUMNS = `id, title, description, priority, completed, ${isoDate('due_date')} AS due_date,
  ${isoTime('created_at')} AS created_at, ${isoTime('updated_at')} AS updated_at, version`;

// The expression each sort orders by, and the type its cursor key is read as; each must match
// an index in migrations.ts and todoSortKey() in types.ts, or keyset pagination skips or
// repeats rows. NULL due dates sort as SQLite's do: after every date, ascending. Columns are
// qualified: a bare created_at in ORDER BY would name the selected ISO text of that name, which
// sorts the same but cannot use the index (every row formatted and sorted, 60 ms at 10,000).
const SORTS: Record<TodoSortField, { expression: string; keyType: string }> = {
  createdAt: { expression: 'todos.created_at', keyType: 'timestamptz' },
  updatedAt: { expression: 'todos.updated_at', keyType: 'timestamptz' },
  priority: { expression: 'todos.priority', keyType: 'integer' },
  dueDate: { expression: "coalesce(due_date, DATE '9999-12-31')", keyType: 'date' },
};

const FIELDS: Record<keyof TodoFields, { column: string; type: string }> = {
  title: { column: 'title', type: 'text' },
  description: { column: 'description', type: 'text' },
  priority: { column: 'priority', type: 'integer' },
  completed: { column: 'completed', type: 'boolean' },
  dueDate: { column: 'due_date', type: 'date' },
};

const GET = statement(`SELECT ${TODO_COLUMNS} FROM todos WHERE id = $1 AND user_id = $2`);
// One statement, so one round trip and atomic: the counter update is the cap check (it changes
// no row when the user is full) and takes the user's row lock, so concurrent creates of one
// user queue there instead of racing past the cap.
const INSERT = statement(
  `WITH counted AS (
     UPDATE users SET todo_count = todo_count + 1 WHERE id = $2 AND todo_count < $3::bigint RETURNING id
   )
   INSERT INTO todos (id, user_id, title, description, priority, completed, due_date, created_at, updated_at, version)
   SELECT $1, counted.id, $4, $5, $6, $7, $8::date, $9::timestamptz, $10::timestamptz, $11 FROM counted
   RETURNING id`,
);
const deleteStatement = (versioned: boolean) =>
  statement(
    `WITH gone AS (
       DELETE FROM todos WHERE id = $1 AND user_id = $2 ${versioned ? 'AND version = $3::bigint' : ''} RETURNING user_id
     )
     UPDATE users SET todo_count = todo_count - 1 WHERE id IN (SELECT user_id FROM gone) RETURNING id`,
  );
const DELETE = deleteStatement(false);
const DELETE_VERSIONED = deleteStatement(true);

export class PostgresTodoRepository implements TodoRepository {
  readonly #db: PgDatabase;
  // List and update statements depend on the filters or fields present; there are few
  // combinations, so each is named once and kept (each connection then plans it once).
  readonly #statements = new Map<string, Statement>();

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  #named(text: string): Statement {
    let named = this.#statements.get(text);
    if (!named) {
      named = statement(text);
      this.#statements.set(text, named);
    }
    return named;
  }

  async list(userId: string, query: TodoQuery): Promise<Todo[]> {
    const values: unknown[] = [userId];
    const param = (value: unknown) => `$${values.push(value)}`;
    const where = ['user_id = $1'];
    if (query.completed !== undefined) where.push(`completed = ${param(query.completed)}`);
    if (query.priority !== undefined) where.push(`priority = ${param(query.priority)}`);
    if (query.dueOnOrBefore !== undefined) where.push(`due_date <= ${param(query.dueOnOrBefore)}::date`);
    if (query.text !== undefined) {
      // ILIKE on "C"-collated columns folds ASCII letters only, as SQLite's LIKE does; with an
      // escape character the user's % and _ match themselves.
      const pattern = param(`%${query.text.replace(/[\\%_]/g, '\\$&')}%`);
      where.push(`(title ILIKE ${pattern} ESCAPE '\\' OR description ILIKE ${pattern} ESCAPE '\\')`);
    }
    const sort = SORTS[query.sort];
    const direction = query.order === 'asc' ? 'ASC' : 'DESC';
    if (query.after) {
      // Row-value comparison continues exactly after the last row of the previous page.
      const key = `${param(query.after.key)}::${sort.keyType}`;
      where.push(
        `(${sort.expression}, id) ${query.order === 'asc' ? '>' : '<'} (${key}, ${param(query.after.id)})`,
      );
    }
    const limit = param(query.limit);
    const text = `SELECT ${TODO_COLUMNS} FROM todos WHERE ${where.join(' AND ')}
      ORDER BY ${sort.expression} ${direction}, todos.id ${direction} LIMIT ${limit}`;
    const rows = await this.#db.rows<TodoRow>(this.#named(text), values);
    return rows.map(toTodo);
  }

  async get(userId: string, id: string): Promise<Todo | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<TodoRow>(GET, [id, userId]);
    return row && toTodo(row);
  }

  async insert(userId: string, todo: Todo, maxPerUser: number): Promise<Todo | undefined> {
    const rows = await this.#db.rows(INSERT, [
      todo.id,
      userId,
      maxPerUser,
      todo.title,
      todo.description,
      todo.priority,
      todo.completed,
      todo.dueDate,
      todo.createdAt,
      todo.updatedAt,
      todo.version,
    ]);
    return rows.length === 1 ? todo : undefined;
  }

  async update(
    userId: string,
    id: string,
    fields: TodoChanges,
    updatedAt: string,
    expectedVersion?: number,
  ): Promise<Todo | undefined> {
    if (holdsNul(id)) return undefined;
    const values: unknown[] = [id, userId, updatedAt];
    const param = (value: unknown) => `$${values.push(value)}`;
    const names = (Object.keys(fields) as (keyof TodoFields)[]).filter((name) => fields[name] !== undefined);
    const assignments = names.map((name) => {
      const { column, type } = FIELDS[name];
      return `${column} = ${param(fields[name])}::${type}`;
    });
    let text = `UPDATE todos SET ${[...assignments, 'updated_at = $3::timestamptz', 'version = version + 1'].join(', ')}
      WHERE id = $1 AND user_id = $2`;
    if (expectedVersion !== undefined) text += ` AND version = ${param(expectedVersion)}::bigint`;
    const [row] = await this.#db.rows<TodoRow>(this.#named(`${text} RETURNING ${TODO_COLUMNS}`), values);
    return row && toTodo(row);
  }

  async delete(userId: string, id: string, expectedVersion?: number): Promise<boolean> {
    if (holdsNul(id)) return false;
    const rows =
      expectedVersion === undefined
        ? await this.#db.rows(DELETE, [id, userId])
        : await this.#db.rows(DELETE_VERSIONED, [id, userId, expectedVersion]);
    return rows.length === 1;
  }
}

export function toTodo(row: TodoRow): Todo {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    priority: row.priority,
    completed: row.completed,
    dueDate: row.due_date,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}
