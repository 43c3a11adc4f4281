// The ActivityRepository contract, and the entries the todo repository writes with each change,
// run unchanged on SQLite and on PostgreSQL.
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, User } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addClient, addTodo, addUser, at, HOUR, todo, writeBy } from './fixtures.ts';

describe.each(ENGINES)('the activity log on %s', (engine) => {
  let opened: TestStore;
  let store: Store;
  let alice: User;

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
    alice = await addUser(store);
  });
  afterEach(() => opened.close());

  it('records each write with the next id of the user, what it did, the fields it changed and the version', async () => {
    const write = writeBy(alice.id, { at: at(1), via: 'mcp' });
    const created = await store.todos.insert(write, todo(), 100);
    const id = created?.todo.id ?? '';
    const renamed = await store.todos.update(write, id, { title: 'renamed', priority: 5, description: '' });
    const done = await store.todos.update(write, id, { completed: true, dueDate: '2027-01-01' });
    const reopened = await store.todos.update(write, id, { completed: false });
    const deleted = await store.todos.delete(write, id);
    const common = { at: at(1), todoId: id, via: 'mcp', client: null };
    expect([created?.entry, renamed?.entry, done?.entry, reopened?.entry, deleted]).toEqual([
      { ...common, id: 1, action: 'created', fields: [], version: 1 },
      { ...common, id: 2, action: 'updated', fields: ['title', 'priority'], version: 2 },
      { ...common, id: 3, action: 'completed', fields: ['completed', 'dueDate'], version: 3 },
      { ...common, id: 4, action: 'reopened', fields: ['completed'], version: 4 },
      { ...common, id: 5, action: 'deleted', fields: [], version: 4 },
    ]);
    // Another user's log is numbered on its own.
    const bob = await addUser(store);
    expect((await store.todos.insert(writeBy(bob.id), todo(), 100))?.entry.id).toBe(1);
    expect(await store.activity.bounds(alice.id)).toEqual({ latest: 5, oldest: 1 });
  });

  it('writes no entry for a write that changed nothing', async () => {
    const stored = await addTodo(store, alice.id);
    await store.todos.update(writeBy(alice.id), stored.id, { title: 'x' }, 7);
    await store.todos.delete(writeBy(alice.id), stored.id, 7);
    await store.todos.insert(writeBy(alice.id), todo(), 1); // at the cap
    expect(await store.activity.bounds(alice.id)).toEqual({ latest: 1, oldest: 1 });
  });

  it('names the acting client as it was named when the change was made', async () => {
    const client = await addClient(store, { name: 'Claude' });
    const tokenId = randomUUID();
    await store.agentTokens.insert(
      alice.id,
      {
        id: tokenId,
        name: 'laptop agent',
        scopes: ['todos:write'],
        audience: ['mcp'],
        createdAt: at(),
        expiresAt: at(HOUR),
        lastUsedAt: null,
        revokedAt: null,
      },
      10,
    );
    const bob = await addUser(store);
    const viaToken = await store.todos.insert(
      writeBy(alice.id, { client: { kind: 'agent_token', id: tokenId } }),
      todo(),
      100,
    );
    const viaOAuth = await store.todos.insert(
      writeBy(alice.id, { client: { kind: 'oauth_client', id: client.id } }),
      todo(),
      100,
    );
    // A token of someone else is never looked up for this user: no name.
    const foreign = await store.todos.insert(
      writeBy(bob.id, { client: { kind: 'agent_token', id: tokenId } }),
      todo(),
      100,
    );
    expect(viaToken?.entry.client).toEqual({ kind: 'agent_token', id: tokenId, name: 'laptop agent' });
    expect(viaOAuth?.entry.client).toEqual({ kind: 'oauth_client', id: client.id, name: 'Claude' });
    expect(foreign?.entry.client).toEqual({ kind: 'agent_token', id: tokenId, name: null });
    expect((await store.activity.list(alice.id, { limit: 10 })).map((entry) => entry.client?.name)).toEqual([
      'Claude',
      'laptop agent',
    ]);
  });

  it('lists newest first, by page and by todo, and reads what a stream missed oldest first', async () => {
    const first = await addTodo(store, alice.id);
    const second = await addTodo(store, alice.id);
    for (const title of ['a', 'b', 'c']) await store.todos.update(writeBy(alice.id), first.id, { title });
    const ids = async (query: Parameters<Store['activity']['list']>[1]) =>
      (await store.activity.list(alice.id, query)).map((entry) => entry.id);
    expect(await ids({ limit: 10 })).toEqual([5, 4, 3, 2, 1]);
    expect(await ids({ limit: 2, before: 4 })).toEqual([3, 2]);
    expect(await ids({ limit: 10, todoId: first.id })).toEqual([5, 4, 3, 1]);
    expect(await ids({ limit: 10, todoId: first.id, before: 4 })).toEqual([3, 1]);
    expect(await ids({ limit: 10, todoId: second.id })).toEqual([2]);
    expect((await store.activity.after(alice.id, 2, 2)).map((entry) => entry.id)).toEqual([3, 4]);
    expect(await store.activity.after(alice.id, 5, 10)).toEqual([]);
    const bob = await addUser(store);
    expect(await store.activity.list(bob.id, { limit: 10 })).toEqual([]);
    expect(await store.activity.bounds(bob.id)).toEqual({ latest: 0, oldest: null });
    expect(await store.activity.bounds(randomUUID())).toEqual({ latest: 0, oldest: null });
  });

  it('finds the entries named by user and id, of any user, and misses those not kept', async () => {
    const bob = await addUser(store);
    const mine = await store.todos.insert(writeBy(alice.id), todo(), 100);
    const theirs = await store.todos.insert(writeBy(bob.id), todo(), 100);
    const found = await store.activity.find([
      { userId: bob.id, id: 1 },
      { userId: alice.id, id: 1 },
      { userId: alice.id, id: 2 },
      { userId: randomUUID(), id: 1 },
    ]);
    const byUser = (user: User) =>
      found.filter((event) => event.userId === user.id).map((event) => event.entry);
    expect(byUser(alice)).toEqual([mine?.entry]);
    expect(byUser(bob)).toEqual([theirs?.entry]);
    expect(found).toHaveLength(2);
    expect(await store.activity.find([])).toEqual([]);
  });

  it("keeps each user's newest entries up to the bound, deleting the oldest as it writes", async () => {
    const stored = await addTodo(store, alice.id);
    for (let i = 0; i < 6; i++) {
      await store.todos.update(writeBy(alice.id, { keepActivity: 3 }), stored.id, { title: `t${i}` });
    }
    expect(await store.activity.bounds(alice.id)).toEqual({ latest: 7, oldest: 5 });
    expect((await store.activity.list(alice.id, { limit: 10 })).map((entry) => entry.id)).toEqual([7, 6, 5]);
  });

  it('prunes entries written before a time, a bounded number at a time, whoever they belong to', async () => {
    const bob = await addUser(store);
    for (const [user, time] of [
      [alice, at(1)],
      [bob, at(2)],
      [alice, at(3)],
      [bob, at(2 * HOUR)],
    ] as const) {
      await store.todos.insert(writeBy(user.id, { at: time }), todo(), 100);
    }
    expect(await store.activity.pruneOlderThan(at(HOUR), 2)).toBe(2);
    expect(await store.activity.pruneOlderThan(at(HOUR), 2)).toBe(1);
    expect(await store.activity.pruneOlderThan(at(HOUR), 2)).toBe(0);
    expect(await store.activity.bounds(alice.id)).toEqual({ latest: 2, oldest: null });
    expect(await store.activity.bounds(bob.id)).toEqual({ latest: 2, oldest: 2 });
  });
});
