// What the stored data must satisfy whatever was sent: checked against the database itself
// (SQLite or PostgreSQL, read in one shape by TestData), not through the API, so that a bug
// in reading cannot hide a bug in writing.
import type { Todo } from '../../src/repositories/types.ts';
import type { TestData } from '../engines.ts';
import { activityViolations } from './activity-invariants.ts';

export interface TodoRow {
  id: string;
  user_id: string;
  title: string;
  description: string;
  priority: number;
  completed: number;
  due_date: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

export type TodoSnapshot = Map<string, TodoRow>;

/** Every todo, whoever owns it, by id. */
export async function snapshot(data: TestData): Promise<TodoSnapshot> {
  const rows = await data.todoRows<TodoRow>();
  return new Map(rows.map((row) => [row.id, row]));
}

/** The ids of one user's todos, in id order. */
export async function idsOwnedBy(data: TestData, userId: string): Promise<string[]> {
  const rows = await data.all<{ id: string }>('SELECT id FROM todos WHERE user_id = ? ORDER BY id', userId);
  return rows.map((row) => row.id);
}

/**
 * A row as both edges return it. Written out here rather than imported from the repository:
 * this is the oracle the answers are checked against, and must not share a mapping bug.
 */
export function asTodo(row: TodoRow): Todo {
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

const codePoints = (value: string) => [...value].length;
const CONTROL = /\p{Cc}/u;
const CONTROL_EXCEPT_WHITESPACE = /(?![\t\n\r])\p{Cc}/u;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

const isRealDate = (value: string) =>
  ISO_DATE.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
const isTimestamp = (value: string) => !Number.isNaN(Date.parse(value)) && value.endsWith('Z');

/** Every broken invariant, each named with the row it was found in; empty when all hold. */
export async function invariantViolations(data: TestData): Promise<string[]> {
  const problems: string[] = [];
  const users = new Set((await data.all<{ id: string }>('SELECT id FROM users')).map((row) => row.id));
  for (const row of (await snapshot(data)).values()) {
    const where = `todo ${row.id}`;
    const title = row.title;
    if (!users.has(row.user_id)) problems.push(`${where}: owner ${row.user_id} does not exist`);
    if (!title.isWellFormed()) problems.push(`${where}: title is not well-formed Unicode`);
    if (title !== title.trim()) problems.push(`${where}: title is not trimmed`);
    if (codePoints(title) < 1 || codePoints(title) > 200)
      problems.push(`${where}: title has ${codePoints(title)} code points`);
    if (CONTROL.test(title)) problems.push(`${where}: title holds a control character`);
    if (!row.description.isWellFormed()) problems.push(`${where}: description is not well-formed Unicode`);
    if (codePoints(row.description) > 2000)
      problems.push(`${where}: description has ${codePoints(row.description)} code points`);
    if (CONTROL_EXCEPT_WHITESPACE.test(row.description))
      problems.push(`${where}: description holds a control character`);
    if (!Number.isInteger(row.priority) || row.priority < 1 || row.priority > 5)
      problems.push(`${where}: priority ${row.priority}`);
    if (row.completed !== 0 && row.completed !== 1) problems.push(`${where}: completed ${row.completed}`);
    if (row.due_date !== null && !isRealDate(row.due_date))
      problems.push(`${where}: due date ${row.due_date}`);
    if (!Number.isInteger(row.version) || row.version < 1) problems.push(`${where}: version ${row.version}`);
    if (!isTimestamp(row.created_at) || !isTimestamp(row.updated_at) || row.updated_at < row.created_at)
      problems.push(`${where}: timestamps ${row.created_at} / ${row.updated_at}`);
  }
  const counts = await data.all<{ id: string; kept: number; real: number }>(
    `SELECT u.id AS id, u.todo_count AS kept, (SELECT count(*) FROM todos t WHERE t.user_id = u.id) AS real
     FROM users u`,
  );
  for (const { id, kept, real } of counts) {
    if (kept !== real) problems.push(`user ${id}: todo_count ${kept} but ${real} todos`);
  }
  problems.push(...(await activityViolations(data)));
  return problems;
}
