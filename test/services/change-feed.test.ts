// The change feed as the services publish to it: after the commit, one small JSON event per
// write, delivered by user; a listener that fails neither fails the write nor robs the others.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../src/services/change-feed.ts';
import { ChangesByUser } from '../../src/services/change-feed.ts';
import { by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';

describe('the change feed', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
  });
  afterEach(() => ctx.close());

  it('publishes each write once, after it committed, as the entry that records it', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'todos-feed-'));
    const file = createTestContext({ databasePath: join(directory, 'todos.db') });
    // Another connection sees only what was committed, as another process would.
    const other = new Database(join(directory, 'todos.db'), { readonly: true });
    try {
      const user = await file.signUp();
      const heard: { event: ChangeEvent; committed: number }[] = [];
      const committed = () => other.prepare('SELECT count(*) FROM activity').pluck().get() as number;
      file.services.changes.subscribe((event) => heard.push({ event, committed: committed() }));
      const todo = await file.services.todos.create(by(user), { title: 'Heard' });
      await file.services.todos.patch(by(user, 'mcp'), todo.id, { completed: true });
      await file.services.todos.delete(by(user), todo.id);

      expect(heard.map(({ event }) => [event.userId, event.entry.id, event.entry.action])).toEqual([
        [user.id, 1, 'created'],
        [user.id, 2, 'completed'],
        [user.id, 3, 'deleted'],
      ]);
      expect(heard.map((each) => each.committed)).toEqual([1, 2, 3]);
      const { items } = await file.services.activity.list(user.id, { limit: 10 });
      expect(heard.map(({ event }) => event.entry)).toEqual(items.reverse());
    } finally {
      other.close();
      await file.close();
      rmSync(directory, { recursive: true, force: true });
    }
  });

  it('carries ids and names only, small enough for a PostgreSQL NOTIFY payload', async () => {
    const heard: ChangeEvent[] = [];
    ctx.services.changes.subscribe((event) => heard.push(event));
    const longTitle = 'x'.repeat(200);
    const todo = await ctx.services.todos.create(by(alice), {
      title: longTitle,
      description: 'y'.repeat(2000),
    });
    await ctx.services.todos.patch(by(alice), todo.id, { title: `${longTitle.slice(1)}z` });
    for (const event of heard) {
      const payload = JSON.stringify(event);
      expect(JSON.parse(payload)).toEqual(event);
      expect(Buffer.byteLength(payload)).toBeLessThan(8000);
      expect(payload).not.toContain('xxxx');
    }
  });

  it('announces nothing for a write that changed nothing', async () => {
    const heard: ChangeEvent[] = [];
    ctx.services.changes.subscribe((event) => heard.push(event));
    const todo = await ctx.services.todos.create(by(alice), { title: 'Only this' });
    await expect(ctx.services.todos.patch(by(bob), todo.id, { title: 'not yours' })).rejects.toThrow();
    await expect(ctx.services.todos.delete(by(alice), todo.id, 7)).rejects.toThrow();
    expect(heard).toHaveLength(1);
  });

  it('keeps the write and the other listeners when one listener throws, and logs it', async () => {
    const byUser = new ChangesByUser(ctx.services.changes);
    const heard: string[] = [];
    byUser.subscribe(alice.id, () => {
      throw new Error('a broken stream');
    });
    byUser.subscribe(alice.id, (event) => heard.push(`by user: ${event.entry.action}`));
    ctx.services.changes.subscribe((event) => heard.push(`everyone: ${event.entry.action}`));

    const todo = await ctx.services.todos.create(by(alice), { title: 'Still stored' });
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    expect(heard).toEqual(['by user: created', 'everyone: created']);
    expect(ctx.logs().filter((line) => line.msg === 'a change listener failed')).toHaveLength(1);
  });

  it("routes by user: a user's listener hears none of another's changes, and none once it unsubscribed", async () => {
    const byUser = new ChangesByUser(ctx.services.changes);
    const heard: string[] = [];
    const stop = byUser.subscribe(bob.id, (event) => heard.push(event.userId));
    await ctx.services.todos.create(by(alice), { title: "Alice's" });
    await ctx.services.todos.create(by(bob), { title: "Bob's" });
    stop();
    await ctx.services.todos.create(by(bob), { title: 'unheard' });
    expect(heard).toEqual([bob.id]);
  });
});
