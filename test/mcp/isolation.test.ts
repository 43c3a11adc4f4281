// security.md 8 and 10: one user's tool calls never see or touch another user's todos, even
// under concurrency, and another user's todo reads exactly like one that does not exist.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, ERAS, textOf } from './mcp-helpers.ts';
import { missingId } from './raw-mcp.ts';

/** The tool's answer with the id it was asked about replaced, so that two answers compare. */
const withoutId = (text: string, id: string) => text.replaceAll(id, '<id>');

describe.each(ERAS)('isolation between users over MCP in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;
  let base: string;
  let aliceMcp: Connected;
  let bobTodo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    base = await ctx.listen();
    aliceMcp = await connect(base, alice, era);
    bobTodo = await ctx.services.todos.create(by(bob), {
      title: 'Bob private',
      description: 'only bob',
      priority: 5,
    });
  });
  afterEach(async () => {
    await aliceMcp.client.close();
    await ctx.close();
  });

  it("answers 50 parallel tool calls from two users with only each caller's todos", async () => {
    const bobMcp = await connect(base, bob, era);
    const own = {
      [alice.id]: await Promise.all(
        ['A1', 'A2', 'A3'].map((title) => ctx.services.todos.create(by(alice), { title })),
      ),
      [bob.id]: [
        bobTodo,
        ...(await Promise.all(['B2', 'B3'].map((title) => ctx.services.todos.create(by(bob), { title })))),
      ],
    };
    const calls = [alice, bob].flatMap((user) => {
      const client = user === alice ? aliceMcp.client : bobMcp.client;
      const todos = own[user.id] ?? [];
      return Array.from({ length: 25 }, (_, i) => {
        const todo = todos[i % todos.length];
        const call =
          i % 2 === 0 || !todo
            ? client.callTool({ name: 'get_all_todos', arguments: {} })
            : client.callTool({ name: 'get_todo_by_id', arguments: { id: todo.id } });
        return call.then((result) => ({ user, result }));
      });
    });
    const answers = await Promise.all(calls);
    await bobMcp.client.close();

    expect(answers).toHaveLength(50);
    for (const { user, result } of answers) {
      expect(result.isError).toBeFalsy();
      const mine = new Set((own[user.id] ?? []).map((todo) => todo.id));
      const others = (own[user === alice ? bob.id : alice.id] ?? []).map((todo) => todo.id);
      const content = result.structuredContent as { todos?: Todo[]; id?: string };
      const ids = content.todos ? content.todos.map((todo) => todo.id) : [content.id];
      if (content.todos) expect(new Set(ids)).toEqual(mine);
      for (const id of ids) expect(mine.has(id ?? '')).toBe(true);
      const serialised = JSON.stringify(result);
      for (const id of others) expect(serialised).not.toContain(id);
    }
  });

  it("answers get_todo_by_id on another user's todo exactly as for a missing id", async () => {
    const theirs = await aliceMcp.client.callTool({ name: 'get_todo_by_id', arguments: { id: bobTodo.id } });
    const absent = missingId();
    const missing = await aliceMcp.client.callTool({ name: 'get_todo_by_id', arguments: { id: absent } });
    expect(theirs.isError).toBe(true);
    expect(missing.isError).toBe(true);
    expect(withoutId(textOf(theirs), bobTodo.id)).toBe(withoutId(textOf(missing), absent));
    expect(JSON.stringify(theirs)).not.toContain('Bob private');
    await expect(ctx.services.todos.get(bob.id, bobTodo.id)).resolves.toEqual(bobTodo);
  });

  it("answers update_todo on another user's todo exactly as for a missing id, and leaves it unchanged", async () => {
    const change = { title: 'Hijacked', completed: true };
    const theirs = await aliceMcp.client.callTool({
      name: 'update_todo',
      arguments: { id: bobTodo.id, ...change },
    });
    const absent = missingId();
    const missing = await aliceMcp.client.callTool({
      name: 'update_todo',
      arguments: { id: absent, ...change },
    });
    expect(theirs.isError).toBe(true);
    expect(missing.isError).toBe(true);
    expect(withoutId(textOf(theirs), bobTodo.id)).toBe(withoutId(textOf(missing), absent));
    await expect(ctx.services.todos.get(bob.id, bobTodo.id)).resolves.toEqual(bobTodo);
  });

  it("answers update_todo with expectedVersion on another user's todo exactly as for a missing id", async () => {
    const change = { title: 'Hijacked', expectedVersion: 1 };
    const theirs = await aliceMcp.client.callTool({
      name: 'update_todo',
      arguments: { id: bobTodo.id, ...change },
    });
    const absent = missingId();
    const missing = await aliceMcp.client.callTool({
      name: 'update_todo',
      arguments: { id: absent, ...change },
    });
    expect(withoutId(textOf(theirs), bobTodo.id)).toBe(withoutId(textOf(missing), absent));
    await expect(ctx.services.todos.get(bob.id, bobTodo.id)).resolves.toEqual(bobTodo);
  });

  it("answers delete_todo on another user's todo exactly as for a missing id, and keeps it", async () => {
    const theirs = await aliceMcp.client.callTool({ name: 'delete_todo', arguments: { id: bobTodo.id } });
    const absent = missingId();
    const missing = await aliceMcp.client.callTool({ name: 'delete_todo', arguments: { id: absent } });
    expect(theirs.isError).toBe(true);
    expect(missing.isError).toBe(true);
    expect(withoutId(textOf(theirs), bobTodo.id)).toBe(withoutId(textOf(missing), absent));
    await expect(ctx.services.todos.get(bob.id, bobTodo.id)).resolves.toEqual(bobTodo);
  });

  it("answers delete_todo on another user's todo as for a missing id when the client cannot confirm", async () => {
    const plain = await connect(base, alice, era, { elicitation: false });
    const theirs = await plain.client.callTool({ name: 'delete_todo', arguments: { id: bobTodo.id } });
    const absent = missingId();
    const missing = await plain.client.callTool({ name: 'delete_todo', arguments: { id: absent } });
    await plain.client.close();
    expect(theirs.isError).toBe(true);
    expect(withoutId(textOf(theirs), bobTodo.id)).toBe(withoutId(textOf(missing), absent));
    await expect(ctx.services.todos.get(bob.id, bobTodo.id)).resolves.toEqual(bobTodo);
  });
});
