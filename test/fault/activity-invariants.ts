// The activity log against the todos, read from the database itself: every change of a todo
// row has its entry and every entry its change. Entries are written in the transaction of the
// change, so this holds after any crash. Pruning deletes a user's oldest entries first: what
// is kept is a contiguous run of the user's log, ending at their counter.
import type { TestData } from '../engines.ts';

interface EntryRow {
  user_id: string;
  seq: number;
  todo_id: string;
  action: string;
  version: number;
}

/** Every broken rule, each named with the user or todo it was found at; empty when all hold. */
export async function activityViolations(data: TestData): Promise<string[]> {
  const problems: string[] = [];
  const entries = await data.all<EntryRow>(
    'SELECT user_id, seq, todo_id, action, version FROM activity ORDER BY user_id, seq',
  );
  const todos = new Map(
    (
      await data.all<{ id: string; user_id: string; version: number }>(
        'SELECT id, user_id, version FROM todos',
      )
    ).map((row) => [row.id, row]),
  );
  const counters = await data.all<{ id: string; activity_seq: number }>('SELECT id, activity_seq FROM users');
  const byUser = Map.groupBy(entries, (entry) => entry.user_id);

  for (const { id: userId, activity_seq: counter } of counters) {
    const own = byUser.get(userId) ?? [];
    const first = own[0]?.seq ?? counter + 1;
    own.forEach((entry, index) => {
      if (entry.seq !== first + index) problems.push(`user ${userId}: entry ${first + index} is missing`);
    });
    if ((own.at(-1)?.seq ?? counter) !== counter)
      problems.push(`user ${userId}: counter at ${counter}, last entry ${own.at(-1)?.seq}`);
    const complete = first === 1; // nothing of this user's log was pruned yet

    const byTodo = Map.groupBy(own, (entry) => entry.todo_id);
    for (const [todoId, changes] of byTodo) {
      const where = `user ${userId}, todo ${todoId}`;
      changes.forEach((change, index) => {
        const previous = changes[index - 1];
        if (previous && change.version !== previous.version + (change.action === 'deleted' ? 0 : 1))
          problems.push(
            `${where}: entry ${change.seq} at version ${change.version} after ${previous.version}`,
          );
        if (previous?.action === 'deleted') problems.push(`${where}: entry ${change.seq} after its deletion`);
      });
      const last = changes.at(-1);
      const todo = todos.get(todoId);
      if (complete && changes[0]?.action !== 'created')
        problems.push(`${where}: its first entry is not created`);
      if (!todo && last?.action !== 'deleted') problems.push(`${where}: gone without a deleted entry`);
      if (todo && todo.user_id !== userId) problems.push(`${where}: entries under another user`);
      if (todo && last?.version !== todo.version)
        problems.push(`${where}: at version ${todo.version}, last entry at ${last?.version}`);
    }
    if (complete) {
      for (const todo of todos.values()) {
        if (todo.user_id === userId && !byTodo.has(todo.id))
          problems.push(`user ${userId}, todo ${todo.id}: no entry at all`);
      }
    }
  }
  return problems;
}
