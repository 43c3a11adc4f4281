// Least privilege on every MCP surface, in every serving mode: a token without todos:read
// gets no todo data from tools, resources, prompts or completions, and a token without
// todos:write changes nothing. Each refusal is the HTTP 403 insufficient_scope challenge.
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { by, countTodos, createTestContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, SERVING_MODES, type ServingMode } from './mcp-helpers.ts';
import { createTodoCall, rawCaller } from './raw-mcp.ts';

const TEMPLATE = { type: 'ref/resource' as const, uri: 'todo://{id}' };

/** What a call rejected with, or 'answered' when it was not refused. */
const refusal = (call: Promise<unknown>): Promise<unknown> =>
  call.then(
    () => 'answered',
    (error: unknown) => error,
  );

interface Narrowed {
  ctx: TestContext;
  alice: TestUser;
  base: string;
  /** A sign-in token narrowed to one scope, as `POST /api/auth/token` issues it. */
  token: string;
  /** A client connected with that token. */
  mcp: Connected;
  /** The one todo alice has. */
  todo: Todo;
}

async function narrowed(mode: ServingMode, scope: string, title: string): Promise<Narrowed> {
  const ctx = createTestContext({ mcp: { legacySessions: mode.legacySessions } });
  const alice = await ctx.signUp();
  const base = await ctx.listen();
  const issued = await request(ctx.app)
    .post('/api/auth/token')
    .send({ username: alice.username, password: PASSWORD, scope });
  expect(issued.body.scope).toBe(scope);
  const token: string = issued.body.access_token;
  const todo = await ctx.services.todos.create(by(alice), { title });
  return { ctx, alice, base, token, todo, mcp: await connect(base, { token }, mode.era) };
}

describe.each(SERVING_MODES)('a token with only todos:write on /mcp in $name', (mode) => {
  let ctx: TestContext;
  let base: string;
  let writeOnly: string;
  let mcp: Connected;
  let todo: Todo;

  beforeEach(async () => {
    ({ ctx, base, token: writeOnly, mcp, todo } = await narrowed(mode, 'todos:write', 'Secret plans'));
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  const reads: [string, () => Promise<unknown>][] = [
    ['resources/list', () => mcp.client.listResources()],
    ['resources/read', () => mcp.client.readResource({ uri: `todo://${todo.id}` })],
    ['prompts/get', () => mcp.client.getPrompt({ name: 'plan_my_day', arguments: {} })],
    [
      'completion/complete of a todo id',
      () => mcp.client.complete({ ref: TEMPLATE, argument: { name: 'id', value: todo.id.slice(0, 4) } }),
    ],
    [
      'completion/complete of a plan_my_day argument',
      () =>
        mcp.client.complete({
          ref: { type: 'ref/prompt', name: 'plan_my_day' },
          argument: { name: 'focus', value: 'h' },
        }),
    ],
    ['tools/call get_all_todos', () => mcp.client.callTool({ name: 'get_all_todos', arguments: {} })],
    [
      'tools/call get_todo_by_id',
      () => mcp.client.callTool({ name: 'get_todo_by_id', arguments: { id: todo.id } }),
    ],
  ];

  it.each(reads)(
    'is refused %s with HTTP 403 insufficient_scope naming todos:read',
    async (_method, read) => {
      const refused = await refusal(read());
      expect(refused).toBeInstanceOf(InsufficientScopeError);
      expect(refused).toMatchObject({ requiredScope: 'todos:read' });
    },
  );

  it('gets the same WWW-Authenticate challenge on a raw resources/list as on a raw tool call', async () => {
    const raw = await rawCaller(base, mode.era, writeOnly);
    const listed = await raw.call('resources/list');
    const called = await raw.call('tools/call', { name: 'get_all_todos', arguments: {} });
    expect(listed.status).toBe(403);
    expect(listed.headers.get('www-authenticate')).toBe(called.headers.get('www-authenticate'));
    expect(listed.headers.get('www-authenticate')).toContain('scope="todos:read"');
    expect(listed.text).not.toContain('Secret plans');
  });

  it('can still create a todo', async () => {
    const created = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'Write-only' } });
    expect(created.isError).toBeFalsy();
    expect(countTodos(ctx)).toBe(2);
  });
});

describe.each(SERVING_MODES)('a token with only todos:read on /mcp in $name', (mode) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let readOnly: string;
  let mcp: Connected;
  let todo: Todo;

  beforeEach(async () => {
    ({ ctx, alice, base, token: readOnly, mcp, todo } = await narrowed(mode, 'todos:read', 'Already there'));
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  it('reads through tools, resources, prompts and completions', async () => {
    const listed = await mcp.client.callTool({ name: 'get_all_todos', arguments: {} });
    expect(listed.structuredContent).toMatchObject({ count: 1, todos: [{ title: 'Already there' }] });
    expect((await mcp.client.listResources()).resources.map((resource) => resource.name)).toEqual([
      'activity',
      'Already there',
    ]);
    const read = await mcp.client.readResource({ uri: `todo://${todo.id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toEqual(todo);
    const prompt = await mcp.client.getPrompt({ name: 'plan_my_day', arguments: {} });
    expect(JSON.stringify(prompt.messages)).toContain('Already there');
    const completed = await mcp.client.complete({ ref: TEMPLATE, argument: { name: 'id', value: '' } });
    expect(completed.completion.values).toEqual([todo.id]);
  });

  const writes: [string, () => Record<string, unknown>][] = [
    ['create_todo', () => ({ title: 'Not allowed' })],
    ['update_todo', () => ({ id: todo.id, title: 'Not allowed' })],
    ['delete_todo', () => ({ id: todo.id })],
  ];

  it.each(writes)(
    'is refused %s with HTTP 403 insufficient_scope, and nothing changes',
    async (name, args) => {
      const refused = await refusal(mcp.client.callTool({ name, arguments: args() }));
      expect(refused).toBeInstanceOf(InsufficientScopeError);
      expect(refused).toMatchObject({ requiredScope: 'todos:write' });
      await expect(ctx.services.todos.get(alice.id, todo.id)).resolves.toEqual(todo);
      expect(countTodos(ctx)).toBe(1);
    },
  );

  it('gets a WWW-Authenticate insufficient_scope challenge naming todos:write on a raw create_todo', async () => {
    const raw = await rawCaller(base, mode.era, readOnly);
    const res = await raw.call(...createTodoCall());
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="todos:write"');
    expect(countTodos(ctx)).toBe(1);
  });
});
