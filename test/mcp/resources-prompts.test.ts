// The todo://{id} resource template, its id completion, and the plan_my_day prompt: each
// shows only the caller's todos, and another user's todo reads like a missing one.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { DISGUISED, expectSpelledOut } from './disguised-text.ts';
import { type Connected, connect, ERAS } from './mcp-helpers.ts';
import { missingId } from './raw-mcp.ts';

const TEMPLATE = { type: 'ref/resource' as const, uri: 'todo://{id}' };

describe.each(ERAS)('MCP resources and prompts in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let mcp: Connected;
  let mine: Todo[];
  let bobTodo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    const [a, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    alice = a;
    mine = [];
    for (const title of ['Write report', 'Call the plumber'])
      mine.push(await ctx.services.todos.create(by(alice), { title }));
    bobTodo = await ctx.services.todos.create(by(bob), { title: 'Bob private' });
    mcp = await connect(await ctx.listen(), alice, era);
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  /** The error a read rejects with, its message and data with the uri's id replaced. */
  async function readError(id: string): Promise<{ code: unknown; message: string; data: string }> {
    const error = await mcp.client.readResource({ uri: `todo://${id}` }).then(
      () => {
        throw new Error(`todo://${id} was readable`);
      },
      (rejected: { code?: unknown; message: string; data?: unknown }) => rejected,
    );
    return {
      code: error.code,
      message: error.message.replaceAll(id, '<id>'),
      data: JSON.stringify(error.data ?? null).replaceAll(id, '<id>'),
    };
  }

  it("lists the user's todos as todo:// resources, and no one else's, beside the activity log", async () => {
    const listed = (await mcp.client.listResources()).resources;
    expect(listed.map((resource) => resource.uri)[0]).toBe('todo://activity');
    const resources = listed.filter((resource) => resource.uri !== 'todo://activity');
    expect(resources.map((resource) => resource.uri).sort()).toEqual(
      mine.map((todo) => `todo://${todo.id}`).sort(),
    );
    expect(resources.map((resource) => resource.name).sort()).toEqual(['Call the plumber', 'Write report']);
    expect(resources.every((resource) => resource.mimeType === 'application/json')).toBe(true);
  });

  it('reads a todo resource as the JSON of the todo', async () => {
    const [todo] = mine;
    const { contents } = await mcp.client.readResource({ uri: `todo://${todo?.id}` });
    expect(contents).toHaveLength(1);
    expect(contents[0]).toMatchObject({ uri: `todo://${todo?.id}`, mimeType: 'application/json' });
    const text = (contents[0] as { text: string }).text;
    expect(JSON.parse(text)).toEqual(todo);
  });

  it("reads todo://activity as the user's latest changes, newest first, and no one else's", async () => {
    await mcp.client.callTool({ name: 'update_todo', arguments: { id: mine[0]?.id, completed: true } });
    const { contents } = await mcp.client.readResource({ uri: 'todo://activity' });
    expect(contents[0]).toMatchObject({ uri: 'todo://activity', mimeType: 'application/json' });
    const { items } = JSON.parse((contents[0] as { text: string }).text);
    expect(
      items.map(({ id, todoId, action, via }: Record<string, unknown>) => ({ id, todoId, action, via })),
    ).toEqual([
      { id: 3, todoId: mine[0]?.id, action: 'completed', via: 'mcp' },
      { id: 2, todoId: mine[1]?.id, action: 'created', via: 'api' },
      { id: 1, todoId: mine[0]?.id, action: 'created', via: 'api' },
    ]);
    expect((contents[0] as { text: string }).text).not.toContain(bobTodo.id);
  });

  it("answers a read of another user's todo exactly like a read of a missing one", async () => {
    const theirs = await readError(bobTodo.id);
    const missing = await readError(missingId());
    expect(theirs).toEqual(missing);
    expect(theirs.message).not.toContain('Bob private');
  });

  it('completes the id argument of todo://{id} with the matching ids of the user', async () => {
    const [first] = mine;
    const prefix = first?.id.slice(0, 8) ?? '';
    const { completion } = await mcp.client.complete({
      ref: TEMPLATE,
      argument: { name: 'id', value: prefix },
    });
    expect(completion.values).toEqual([first?.id]);
  });

  it("never completes another user's todo ids", async () => {
    const { completion } = await mcp.client.complete({ ref: TEMPLATE, argument: { name: 'id', value: '' } });
    expect([...completion.values].sort()).toEqual(mine.map((todo) => todo.id).sort());
    const theirs = await mcp.client.complete({
      ref: TEMPLATE,
      argument: { name: 'id', value: bobTodo.id.slice(0, 8) },
    });
    expect(theirs.completion.values).not.toContain(bobTodo.id);
  });

  it('lists the plan_my_day prompt', async () => {
    const { prompts } = await mcp.client.listPrompts();
    expect(prompts.map((prompt) => prompt.name)).toContain('plan_my_day');
  });

  it('lists the optional focus argument of plan_my_day', async () => {
    const { prompts } = await mcp.client.listPrompts();
    const plan = prompts.find((prompt) => prompt.name === 'plan_my_day');
    expect(plan?.arguments).toEqual([
      { name: 'focus', description: expect.stringContaining('theme for the day'), required: false },
    ]);
  });

  it('completes the focus argument of plan_my_day with the themes that match what was typed', async () => {
    const { completion } = await mcp.client.complete({
      ref: { type: 'ref/prompt', name: 'plan_my_day' },
      argument: { name: 'focus', value: 'ho' },
    });
    expect(completion.values).toEqual(['home']);
  });

  it('builds plan_my_day around the focus the user chose', async () => {
    const prompt = await mcp.client.getPrompt({ name: 'plan_my_day', arguments: { focus: 'home' } });
    const content = prompt.messages[0]?.content;
    expect(content?.type === 'text' ? content.text : '').toContain('with a focus on "home"');
  });

  it("builds plan_my_day as a user message with the open todos' titles, not the completed ones", async () => {
    const done = await ctx.services.todos.create(by(alice), { title: 'Already filed taxes' });
    await ctx.services.todos.patch(by(alice), done.id, { completed: true });
    const prompt = await mcp.client.getPrompt({ name: 'plan_my_day', arguments: {} });
    expect(prompt.messages).toHaveLength(1);
    expect(prompt.messages[0]).toMatchObject({ role: 'user', content: { type: 'text' } });
    const content = prompt.messages[0]?.content;
    const text = content?.type === 'text' ? content.text : '';
    expect(text).toContain('"Write report"');
    expect(text).toContain('"Call the plumber"');
    expect(text).not.toContain('Already filed taxes');
    expect(text).not.toContain('Bob private');
  });

  it('spells out invisible characters of titles in plan_my_day, and keeps them exact in the resource JSON', async () => {
    const todo = await ctx.services.todos.create(by(alice), { title: DISGUISED });
    const prompt = await mcp.client.getPrompt({ name: 'plan_my_day', arguments: { focus: 'home\u202E' } });
    const content = prompt.messages[0]?.content;
    const text = content?.type === 'text' ? content.text : '';
    expectSpelledOut(text);
    expect(text).toContain('with a focus on "home\\u202E"');
    const { contents } = await mcp.client.readResource({ uri: `todo://${todo.id}` });
    expect(JSON.parse((contents[0] as { text: string }).text).title).toBe(DISGUISED);
  });
});
