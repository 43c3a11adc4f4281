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
import { holdsNul, isoDate, isoTime } from './iso-time.ts';
import { type PgDatabase, type Statement, statement } from './pg-database.ts';
import { type ActivityRow, contextValues, recordEntry, toEntry } from './postgres-activity-repository.ts';

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

// Every write records its activity entry in the same transaction (recordEntry), and every
// write takes the user's row lock to number it: the lock is the ordering point of a user's
// entries. Rows are always locked in the same order, the todo's row (when one is changed) before
// the user's, so that two writers never wait for each other in a cycle.

// One statement, so one round trip and atomic: the counter update is the cap check (it changes
// no row when the user is full) and takes the user's row lock, so concurrent creates of one
// user queue there instead of racing past the cap.
const INSERT = statement(
  `WITH counted AS (
     UPDATE users SET todo_count = todo_count + 1, activity_seq = activity_seq + 1
     WHERE id = $1 AND todo_count < $8::bigint RETURNING id, activity_seq
   ),
   created AS (
     INSERT INTO todos (id, user_id, title, description, priority, completed, due_date, created_at, updated_at, version)
     SELECT $7, counted.id, $9, $10, $11, $12, $13::date, $14::timestamptz, $15::timestamptz, $16 FROM counted
     RETURNING id
   ),
   ${recordEntry({ counter: 'counted', from: 'created', todoId: 'created.id', action: "'created'", fields: "'{}'::text[]", version: '$16' })}`,
);
const deleteStatement = (versioned: boolean) =>
  statement(
    `WITH gone AS (
       DELETE FROM todos WHERE id = $7 AND user_id = $1 ${versioned ? 'AND version = $8::bigint' : ''}
       RETURNING id, version
     ),
     counted AS (
       UPDATE users SET todo_count = todo_count - 1, activity_seq = activity_seq + 1
       WHERE id = $1 AND EXISTS (SELECT 1 FROM gone) RETURNING id, activity_seq
     ),
     ${recordEntry({ counter: 'counted', from: 'gone', todoId: 'gone.id', action: "'deleted'", fields: "'{}'::text[]", version: 'gone.version' })}`,
  );
const DELETE = deleteStatement(false);
const DELETE_VERSIONED = deleteStatement(true);
// An update's entry names the fields that changed, which describeUpdate() (shared with SQLite)
// works out from the rows before and after: so the update and its entry are two statements
// of one transaction. $7 the todo, $8 the action, $9 the fields, $10 the version.
const RECORD_UPDATE = statement(
  `WITH counted AS (
     UPDATE users SET activity_seq = activity_seq + 1 WHERE id = $1 RETURNING id, activity_seq
   ),
   ${recordEntry({ counter: 'counted', todoId: '$7', action: '$8', fields: '$9::text[]', version: '$10::integer' })}`,
);

/** The todo columns of `alias`, formatted as TodoRow's, each name prefixed by `prefix`. */
const todoColumns = (alias: string, prefix = '') =>
  `${alias}.id AS ${prefix}id, ${alias}.title AS ${prefix}title, ${alias}.description AS ${prefix}description,
   ${alias}.priority AS ${prefix}priority, ${alias}.completed AS ${prefix}completed,
   ${isoDate(`${alias}.due_date`)} AS ${prefix}due_date, ${isoTime(`${alias}.created_at`)} AS ${prefix}created_at,
   ${isoTime(`${alias}.updated_at`)} AS ${prefix}updated_at, ${alias}.version AS ${prefix}version`;

type UpdatedRow = TodoRow & { [K in keyof TodoRow as `old_${K}`]: TodoRow[K] };

const before = (row: UpdatedRow): Todo =>
  toTodo({
    id: row.old_id,
    title: row.old_title,
    description: row.old_description,
    priority: row.old_priority,
    completed: row.old_completed,
    due_date: row.old_due_date,
    created_at: row.old_created_at,
    updated_at: row.old_updated_at,
    version: row.old_version,
  });

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

  async insert(context: WriteContext, todo: Todo, maxPerUser: number): Promise<RecordedTodo | undefined> {
    const [row] = await this.#db.rows<ActivityRow>(INSERT, [
      ...contextValues(context),
      todo.id,
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
    return row && { todo, entry: toEntry(row) };
  }

  async update(
    context: WriteContext,
    id: string,
    fields: TodoChanges,
    expectedVersion?: number,
  ): Promise<RecordedTodo | undefined> {
    if (holdsNul(id)) return undefined;
    const values: unknown[] = [id, context.actor.userId, context.at];
    const param = (value: unknown) => `$${values.push(value)}`;
    const names = (Object.keys(fields) as (keyof TodoFields)[]).filter((name) => fields[name] !== undefined);
    const assignments = names.map((name) => {
      const { column, type } = FIELDS[name];
      return `${column} = ${param(fields[name])}::${type}`;
    });
    const version = expectedVersion === undefined ? '' : ` AND version = ${param(expectedVersion)}::bigint`;
    // The row as it was comes from a locking subquery of the same statement: FOR UPDATE reads
    // the latest committed version and holds it, so "before" is exactly what this update changed.
    const text = `UPDATE todos t SET ${[...assignments, 'updated_at = $3::timestamptz', 'version = t.version + 1'].join(', ')}
      FROM (SELECT id, title, description, priority, completed, due_date, created_at, updated_at, version
            FROM todos WHERE id = $1 AND user_id = $2${version} FOR UPDATE) old
      WHERE t.id = old.id
      RETURNING ${todoColumns('t')}, ${todoColumns('old', 'old_')}`;
    const update = this.#named(text);
    return this.#db.transaction(async (tx) => {
      const [row] = await tx.rows<UpdatedRow>(update, values);
      if (!row) return undefined;
      const todo = toTodo(row);
      const change = describeUpdate(before(row), todo);
      const [entry] = await tx.rows<ActivityRow>(RECORD_UPDATE, [
        ...contextValues(context),
        id,
        change.action,
        change.fields,
        todo.version,
      ]);
      if (!entry) throw new Error('activity recorded for a user that does not exist');
      return { todo, entry: toEntry(entry) };
    });
  }

  async delete(
    context: WriteContext,
    id: string,
    expectedVersion?: number,
  ): Promise<ActivityEntry | undefined> {
    if (holdsNul(id)) return undefined;
    const values = [...contextValues(context), id];
    const [row] =
      expectedVersion === undefined
        ? await this.#db.rows<ActivityRow>(DELETE, values)
        : await this.#db.rows<ActivityRow>(DELETE_VERSIONED, [...values, expectedVersion]);
    return row && toEntry(row);
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
