// Concurrency on both engines: the per-user cap and version checks hold when writes race,
// and no engine error (SQLITE_BUSY, a serialization failure, a deadlock) reaches the caller.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AgentToken, Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { activityViolations } from '../fault/activity-invariants.ts';
import { addTodo, addUser, todo, warm, writeBy } from './fixtures.ts';

const USERS = 10;
const CREATES_PER_USER = 20;

describe.each(ENGINES)('concurrent writes on %s', (engine) => {
  let opened: TestStore;
  let store: Store;
  let users: User[];

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
    users = await Promise.all(Array.from({ length: USERS }, () => addUser(store)));
    await warm(store);
  });
  afterEach(() => opened.close());

  const storedCounts = async () =>
    opened.data.all<{ id: string; kept: number; real: number }>(
      'SELECT u.id AS id, u.todo_count AS kept, (SELECT count(*) FROM todos t WHERE t.user_id = u.id) AS real FROM users u ORDER BY u.id',
    );

  it('stores exactly 200 todos from 200 concurrent creates by 10 users, each counted once', async () => {
    const results = await Promise.all(
      users.flatMap((user) =>
        Array.from({ length: CREATES_PER_USER }, () => store.todos.insert(writeBy(user.id), todo(), 1_000)),
      ),
    );
    expect(results.filter((result) => result === undefined)).toEqual([]);
    const counts = await storedCounts();
    expect(counts.map(({ kept, real }) => [kept, real])).toEqual(users.map(() => [20, 20]));
    // Each user's entries are numbered 1 to 20, none twice, each naming the todo it created.
    const perUser = CREATES_PER_USER;
    for (let u = 0; u < USERS; u++) {
      const own = results.slice(u * perUser, (u + 1) * perUser);
      expect(own.map((result) => result?.entry.id).sort((a = 0, b = 0) => a - b)).toEqual(
        Array.from({ length: perUser }, (_, i) => i + 1),
      );
      for (const result of own) expect(result?.entry.todoId).toBe(result?.todo.id);
    }
    expect(await activityViolations(opened.data)).toEqual([]);
  });

  it('never lets 200 concurrent creates pass the per-user cap', async () => {
    const cap = 13;
    const results = await Promise.all(
      users.flatMap((user) =>
        Array.from({ length: CREATES_PER_USER }, () => store.todos.insert(writeBy(user.id), todo(), cap)),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(USERS * cap);
    const counts = await storedCounts();
    expect(counts.map(({ kept, real }) => [kept, real])).toEqual(users.map(() => [cap, cap]));
  });

  it('gives racing updates with the same version exactly one winner', async () => {
    const [alice] = users;
    if (!alice) throw new Error('no user');
    for (let round = 0; round < 5; round++) {
      const stored = await addTodo(store, alice.id);
      const at = new Date().toISOString();
      await warm(store);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          store.todos.update(writeBy(alice.id, { at }), stored.id, { title: `racer ${i}` }, stored.version),
        ),
      );
      const winners = results.filter((result) => result !== undefined);
      expect(winners).toHaveLength(1);
      expect(await store.todos.get(alice.id, stored.id)).toEqual(winners[0]?.todo);
      expect(winners[0]?.entry).toMatchObject({ action: 'updated', fields: ['title'], version: 2 });
    }
  });

  it('keeps every counter exact while creates, deletes and conditional deletes race', async () => {
    const seeded = await Promise.all(
      users.flatMap((user) => Array.from({ length: 10 }, () => addTodo(store, user.id))),
    );
    const outcomes = await Promise.all([
      ...seeded.map((item, i) => {
        const owner = users[Math.floor(i / 10)]?.id ?? '';
        return i % 2 === 0
          ? store.todos.delete(writeBy(owner), item.id, i % 4 === 0 ? 1 : undefined)
          : Promise.resolve(undefined);
      }),
      ...seeded.map((item, i) => store.todos.delete(writeBy(users[Math.floor(i / 10)]?.id ?? ''), item.id)),
      ...users.flatMap((user) =>
        Array.from({ length: 5 }, () => store.todos.insert(writeBy(user.id), todo(), 1_000)),
      ),
    ]);
    expect(outcomes).toHaveLength(seeded.length * 2 + USERS * 5);
    const counts = await storedCounts();
    expect(counts.map(({ kept, real }) => [kept, real])).toEqual(users.map(() => [5, 5]));
    expect(await activityViolations(opened.data)).toEqual([]);
  });

  it('never lets concurrent agent-token mints pass the per-user cap', async () => {
    const [alice] = users;
    if (!alice) throw new Error('no user');
    const now = Date.now();
    const token = (): AgentToken => ({
      id: randomUUID(),
      name: 'laptop',
      scopes: ['todos:read'],
      audience: ['mcp'],
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 3_600_000).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    });
    const results = await Promise.all(
      Array.from({ length: 30 }, () => store.agentTokens.insert(alice.id, token(), 7)),
    );
    expect(results.filter(Boolean)).toHaveLength(7);
    expect(await store.agentTokens.list(alice.id)).toHaveLength(7);
  });
});
