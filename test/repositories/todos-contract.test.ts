// The TodoRepository contract, run unchanged on SQLite and on PostgreSQL: what one engine
// answers, the other answers byte for byte, including the order of pages and their cursors.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Store, Todo, TodoQuery, TodoSortField, User } from '../../src/repositories/types.ts';
import { todoSortKey } from '../../src/repositories/types.ts';
import { ENGINES, openTestStore, type TestStore } from '../engines.ts';
import { addTodo, addUser, todo, writeBy } from './fixtures.ts';

const query = (overrides: Partial<TodoQuery> = {}): TodoQuery => ({
  sort: 'createdAt',
  order: 'asc',
  limit: 100,
  ...overrides,
});

/** The order every engine must give: by sort key, ties by id, both compared as SQLite compares them. */
function expectedOrder(todos: Todo[], sort: TodoSortField, order: 'asc' | 'desc'): string[] {
  const compare = (a: string | number, b: string | number) => (a < b ? -1 : a > b ? 1 : 0);
  const sorted = [...todos].sort(
    (a, b) => compare(todoSortKey(a, sort), todoSortKey(b, sort)) || compare(a.id, b.id),
  );
  return (order === 'asc' ? sorted : sorted.reverse()).map((item) => item.id);
}

describe.each(ENGINES)('TodoRepository on %s', (engine) => {
  let opened: TestStore;
  let store: Store;
  let alice: User;
  let bob: User;

  beforeEach(async () => {
    opened = await openTestStore(engine);
    store = opened.store;
    [alice, bob] = await Promise.all([addUser(store), addUser(store)]);
  });
  afterEach(() => opened.close());

  it('stores and returns every field byte-exact, emoji, CJK and combining marks included', async () => {
    const stored = await addTodo(store, alice.id, {
      title: 'Café ☕ 東京 e\u0301 👩‍👩‍👧',
      description: 'line one\nline two\twith a tab',
      priority: 5,
      completed: true,
      dueDate: '2027-02-28',
      createdAt: '2026-03-04T05:06:07.089Z',
      updatedAt: '2026-03-04T05:06:07.089Z',
    });
    expect(await store.todos.get(alice.id, stored.id)).toEqual(stored);
  });

  it("answers another user's todo exactly like a missing one, for every method", async () => {
    const mine = await addTodo(store, alice.id);
    expect(await store.todos.get(bob.id, mine.id)).toBeUndefined();
    expect(await store.todos.update(writeBy(bob.id), mine.id, { title: 'taken' })).toBeUndefined();
    expect(await store.todos.delete(writeBy(bob.id), mine.id)).toBeUndefined();
    expect(await store.todos.list(bob.id, query())).toEqual([]);
    expect(await store.todos.get(alice.id, mine.id)).toEqual(mine);
  });

  it('answers ids that cannot exist (NUL, 5,000 characters) with a miss, not an error', async () => {
    for (const id of ['\0', 'a\0b', 'x'.repeat(5000), '%', '']) {
      expect(await store.todos.get(alice.id, id)).toBeUndefined();
      expect(await store.todos.delete(writeBy(alice.id), id)).toBeUndefined();
      expect(await store.todos.update(writeBy(alice.id), id, { title: 'x' })).toBeUndefined();
    }
    expect(await store.users.findByUsername('ali\0ce')).toBeUndefined();
  });

  it.each([
    ['createdAt', 'asc'],
    ['createdAt', 'desc'],
    ['updatedAt', 'desc'],
    ['priority', 'asc'],
    ['priority', 'desc'],
    ['dueDate', 'asc'],
    ['dueDate', 'desc'],
  ] as const)('pages by %s %s in the same order, ties by id, across keyset pages', async (sort, order) => {
    // Few distinct keys, so that most rows tie and the id decides.
    const todos: Todo[] = [];
    for (let i = 0; i < 23; i++) {
      const at = `2026-05-0${1 + (i % 3)}T00:00:00.000Z`;
      todos.push(
        await addTodo(store, alice.id, {
          priority: 1 + (i % 2) * 4,
          dueDate: i % 3 === 0 ? null : `2026-06-0${1 + (i % 2)}`,
          createdAt: at,
          updatedAt: at,
        }),
      );
    }
    const seen: string[] = [];
    let after: TodoQuery['after'];
    for (let page = 0; page < 10; page++) {
      const rows = await store.todos.list(alice.id, query({ sort, order, limit: 5, after }));
      seen.push(...rows.map((row) => row.id));
      const last = rows.at(-1);
      if (!last) break;
      after = { key: todoSortKey(last, sort), id: last.id };
    }
    expect(seen).toEqual(expectedOrder(todos, sort, order));
  });

  it('puts todos without a due date after every dated one in ascending order', async () => {
    const undated = await addTodo(store, alice.id, { dueDate: null });
    const late = await addTodo(store, alice.id, { dueDate: '9999-12-30' });
    const early = await addTodo(store, alice.id, { dueDate: '2026-01-01' });
    const ids = (await store.todos.list(alice.id, query({ sort: 'dueDate' }))).map((row) => row.id);
    expect(ids).toEqual([early.id, late.id, undated.id]);
  });

  it('searches title and description case-insensitively for ASCII letters, % and _ matching themselves', async () => {
    const milk = await addTodo(store, alice.id, { title: 'Buy MILK' });
    const percent = await addTodo(store, alice.id, { title: 'Save 100% of it', description: 'snake_case' });
    const accented = await addTodo(store, alice.id, { title: 'ÉCOLE' });
    await addTodo(store, alice.id, { title: 'Other', description: 'nothing here' });
    const search = async (text: string) =>
      (await store.todos.list(alice.id, query({ text }))).map((row) => row.id);
    expect(await search('milk')).toEqual([milk.id]);
    expect(await search('%')).toEqual([percent.id]);
    expect(await search('e_c')).toEqual([percent.id]);
    expect(await search('0% o')).toEqual([percent.id]);
    expect(await search('_')).toEqual([percent.id]);
    // Both engines fold ASCII letters only, so an accented capital matches itself alone.
    expect(await search('ÉCOLE')).toEqual([accented.id]);
    expect(await search('école')).toEqual([]);
  });

  it('filters by completion, priority and due date (inclusive, undated never matching)', async () => {
    const done = await addTodo(store, alice.id, { completed: true, priority: 5, dueDate: '2026-02-01' });
    const open = await addTodo(store, alice.id, { priority: 1, dueDate: '2026-02-02' });
    await addTodo(store, alice.id, { dueDate: null });
    const ids = async (overrides: Partial<TodoQuery>) =>
      (await store.todos.list(alice.id, query(overrides))).map((row) => row.id);
    expect(await ids({ completed: true })).toEqual([done.id]);
    expect(await ids({ priority: 1 })).toEqual([open.id]);
    expect(await ids({ dueOnOrBefore: '2026-02-01' })).toEqual([done.id]);
    expect(await ids({ dueOnOrBefore: '2026-02-02', completed: false })).toEqual([open.id]);
  });

  it('updates only with the expected version, bumping it and setting updatedAt', async () => {
    const stored = await addTodo(store, alice.id, { dueDate: '2026-01-01' });
    const at = '2026-09-09T09:09:09.999Z';
    const write = writeBy(alice.id, { at });
    expect(await store.todos.update(write, stored.id, { title: 'stale' }, 2)).toBeUndefined();
    // A version beyond any column type's range is a mismatch like any other, not an error.
    expect(
      await store.todos.update(write, stored.id, { title: 'far' }, Number.MAX_SAFE_INTEGER),
    ).toBeUndefined();
    const updated = await store.todos.update(write, stored.id, { title: 'fresh', dueDate: null }, 1);
    expect(updated?.todo).toEqual({ ...stored, title: 'fresh', dueDate: null, updatedAt: at, version: 2 });
    expect(await store.todos.get(alice.id, stored.id)).toEqual(updated?.todo);
    const completed = await store.todos.update(write, stored.id, { completed: true, priority: 1 });
    expect(completed?.todo).toMatchObject({ completed: true, priority: 1, version: 3, title: 'fresh' });
  });

  it('deletes only with the expected version', async () => {
    const stored = await addTodo(store, alice.id);
    const write = writeBy(alice.id);
    expect(await store.todos.delete(write, stored.id, 2)).toBeUndefined();
    expect(await store.todos.delete(write, stored.id, Number.MAX_SAFE_INTEGER)).toBeUndefined();
    expect(await store.todos.delete(write, stored.id, 1)).toMatchObject({ action: 'deleted', version: 1 });
    expect(await store.todos.delete(write, stored.id)).toBeUndefined();
    expect(await store.todos.get(alice.id, stored.id)).toBeUndefined();
  });

  it('refuses an insert at the per-user cap, and accepts one again after a delete', async () => {
    const [asAlice, asBob] = [writeBy(alice.id), writeBy(bob.id)];
    const first = await store.todos.insert(asAlice, todo(), 2);
    expect(await store.todos.insert(asAlice, todo(), 2)).toBeDefined();
    expect(await store.todos.insert(asAlice, todo(), 2)).toBeUndefined();
    expect(await store.todos.insert(asBob, todo(), 2)).toBeDefined();
    if (!first) throw new Error('first insert refused');
    await store.todos.delete(asAlice, first.todo.id);
    expect(await store.todos.insert(asAlice, todo(), 2)).toBeDefined();
    expect((await store.todos.list(alice.id, query())).length).toBe(2);
  });
});
