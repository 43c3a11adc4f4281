// What an update did to a todo, as the activity log names it. A pure function of the rows
// before and after, shared by every repository implementation so that SQLite and PostgreSQL
// describe the same change the same way.
import type { ActivityAction, Todo, TodoFields } from './types.ts';

/** The editable fields in the order an entry lists them. */
export const TODO_FIELDS = [
  'title',
  'description',
  'priority',
  'completed',
  'dueDate',
] as const satisfies readonly (keyof TodoFields)[];

export function describeUpdate(
  before: Todo,
  after: Todo,
): { action: ActivityAction; fields: (keyof TodoFields)[] } {
  const fields = TODO_FIELDS.filter((field) => before[field] !== after[field]);
  if (!fields.includes('completed')) return { action: 'updated', fields };
  return { action: after.completed ? 'completed' : 'reopened', fields };
}
