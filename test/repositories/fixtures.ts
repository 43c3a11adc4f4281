// Builders for the repository contract suite: users and todos with overridable fields.
import { randomUUID } from 'node:crypto';
import type { ActingClient, Store, Todo, User, Via, WriteContext } from '../../src/repositories/types.ts';

let sequence = 0;

export async function addUser(store: Store, username = `user_${++sequence}_${process.pid}`): Promise<User> {
  const user = await store.users.create({
    id: randomUUID(),
    username,
    passwordHash: 'not-a-real-hash',
    createdAt: new Date().toISOString(),
  });
  if (!user) throw new Error(`username ${username} is taken`);
  return user;
}

export function todo(overrides: Partial<Todo> = {}): Todo {
  const at = overrides.createdAt ?? new Date(Date.UTC(2026, 0, 1) + ++sequence * 1000).toISOString();
  return {
    id: randomUUID(),
    title: `todo ${sequence}`,
    description: '',
    priority: 3,
    completed: false,
    dueDate: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A write by the user themself through the API, at `at` (now unless given), keeping 1,000 entries. */
export function writeBy(
  userId: string,
  overrides: { at?: string; via?: Via; client?: ActingClient; keepActivity?: number } = {},
): WriteContext {
  return {
    actor: { userId, via: overrides.via ?? 'api', client: overrides.client },
    at: overrides.at ?? new Date().toISOString(),
    keepActivity: overrides.keepActivity ?? 1000,
  };
}

export async function addTodo(store: Store, userId: string, overrides: Partial<Todo> = {}): Promise<Todo> {
  const created = todo(overrides);
  const recorded = await store.todos.insert(
    writeBy(userId, { at: created.createdAt }),
    created,
    Number.MAX_SAFE_INTEGER,
  );
  if (!recorded) throw new Error('insert refused');
  return recorded.todo;
}
