// The model a property checks each answer against: what the database may look like after one
// request, given what the request was and what it was answered. Both edges share it.
import { isDeepStrictEqual } from 'node:util';
import type { Todo } from '../../src/repositories/types.ts';
import { asTodo, type TodoSnapshot } from './invariants.ts';

/** What one answer claims happened. */
export type Outcome =
  | { kind: 'refused' }
  | { kind: 'read'; todos: readonly Todo[] }
  | { kind: 'created'; todo: Todo; input: Readonly<Record<string, unknown>> }
  | {
      kind: 'updated';
      todo: Todo;
      targetId: string;
      input: Readonly<Record<string, unknown>>;
      /** PUT: fields left out return to their defaults. */
      replace: boolean;
      expectedVersion: number | undefined;
    }
  | { kind: 'deleted'; targetId: string };

const DEFAULTS: Record<string, unknown> = { description: '', priority: 3, completed: false, dueDate: null };

/** The stored value an accepted input field must have become. */
function expectedField(name: string, value: unknown): unknown {
  return name === 'title' && typeof value === 'string' ? value.trim() : value;
}

/**
 * Every way the change from `before` to `after` disagrees with the outcome the caller was
 * told: a refusal or a read changes nothing; a write changes exactly its own row of the
 * caller, as answered; nobody else's row ever changes.
 */
export function modelViolations(
  before: TodoSnapshot,
  after: TodoSnapshot,
  callerId: string | undefined,
  outcome: Outcome,
): string[] {
  const problems: string[] = [];
  const added = [...after.keys()].filter((id) => !before.has(id));
  const removed = [...before.keys()].filter((id) => !after.has(id));
  const modified = [...after.keys()].filter(
    (id) => before.has(id) && !isDeepStrictEqual(before.get(id), after.get(id)),
  );
  const expectChanges = (expected: { added?: string[]; removed?: string[]; modified?: string[] }) => {
    if (!isDeepStrictEqual(added, expected.added ?? [])) problems.push(`rows added: ${added.join(', ')}`);
    if (!isDeepStrictEqual(removed, expected.removed ?? []))
      problems.push(`rows removed: ${removed.join(', ')}`);
    if (!isDeepStrictEqual(modified, expected.modified ?? []))
      problems.push(`rows modified: ${modified.join(', ')}`);
  };
  const expectStored = (todo: Todo) => {
    const row = after.get(todo.id);
    if (!row) return problems.push(`answered todo ${todo.id} is not stored`);
    if (row.user_id !== callerId) problems.push(`answered todo ${todo.id} belongs to ${row.user_id}`);
    if (!isDeepStrictEqual(asTodo(row), todo))
      problems.push(`answered ${JSON.stringify(todo)} but stored ${JSON.stringify(asTodo(row))}`);
  };
  const expectInputApplied = (todo: Todo, input: Readonly<Record<string, unknown>>, replace: boolean) => {
    for (const name of ['title', 'description', 'priority', 'completed', 'dueDate'] as const) {
      const sent = Object.hasOwn(input, name) ? input[name] : replace ? DEFAULTS[name] : undefined;
      if (sent !== undefined && !isDeepStrictEqual(todo[name], expectedField(name, sent)))
        problems.push(`${name}: sent ${JSON.stringify(sent)} but stored ${JSON.stringify(todo[name])}`);
    }
  };

  switch (outcome.kind) {
    case 'refused':
      expectChanges({});
      break;
    case 'read':
      expectChanges({});
      for (const todo of outcome.todos) expectStored(todo);
      break;
    case 'created':
      expectChanges({ added: [outcome.todo.id] });
      expectStored(outcome.todo);
      expectInputApplied(outcome.todo, outcome.input, true);
      if (outcome.todo.version !== 1) problems.push(`created at version ${outcome.todo.version}`);
      break;
    case 'updated': {
      const previous = before.get(outcome.targetId);
      expectChanges({ modified: [outcome.targetId] });
      if (outcome.todo.id !== outcome.targetId) problems.push(`updated ${outcome.todo.id}, not the target`);
      if (previous?.user_id !== callerId) problems.push(`updated a todo of ${previous?.user_id}`);
      if (previous && outcome.todo.version !== previous.version + 1)
        problems.push(`version went from ${previous.version} to ${outcome.todo.version}`);
      if (outcome.expectedVersion !== undefined && previous?.version !== outcome.expectedVersion)
        problems.push(`expected version ${outcome.expectedVersion} matched version ${previous?.version}`);
      expectStored(outcome.todo);
      expectInputApplied(outcome.todo, outcome.input, outcome.replace);
      break;
    }
    case 'deleted':
      expectChanges({ removed: [outcome.targetId] });
      if (before.get(outcome.targetId)?.user_id !== callerId)
        problems.push(`deleted a todo of ${before.get(outcome.targetId)?.user_id}`);
      break;
  }
  return problems;
}
