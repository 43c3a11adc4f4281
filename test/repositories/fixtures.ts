// Builders for the repository contract suite: users and todos with overridable fields.
import { randomUUID } from 'node:crypto';
import type { Store, Todo, User } from '../../src/repositories/types.ts';

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

export async function addTodo(store: Store, userId: string, overrides: Partial<Todo> = {}): Promise<Todo> {
  const created = await store.todos.insert(userId, todo(overrides), Number.MAX_SAFE_INTEGER);
  if (!created) throw new Error('insert refused');
  return created;
}
