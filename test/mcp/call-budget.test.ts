// security.md 14: one rate budget per user for every MCP call that reads or changes todos
// (tool calls, resource lists and reads, prompts, completions), in every serving mode. Tool
// calls beyond it are isError results; the other methods JSON-RPC errors; both say how long
// to wait, and another user is unaffected.
import { ProtocolError } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { by, countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, SERVING_MODES, textOf } from './mcp-helpers.ts';

const BUDGET = 3;
const TEMPLATE = { type: 'ref/resource' as const, uri: 'todo://{id}' };

describe.each(SERVING_MODES)('the per-user call budget in $name', ({ era, legacySessions }) => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;
  let aliceMcp: Connected;
  let bobMcp: Connected;
  let todo: Todo;

  beforeEach(async () => {
    ctx = createTestContext({ mcp: { callsPerMinute: BUDGET, legacySessions } });
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    todo = await ctx.services.todos.create(by(alice), { title: 'Counted' });
    const base = await ctx.listen();
    [aliceMcp, bobMcp] = await Promise.all([connect(base, alice, era), connect(base, bob, era)]);
  });
  afterEach(async () => {
    await Promise.all([aliceMcp.client.close(), bobMcp.client.close()]);
    await ctx.close();
  });

  const list = (mcp: Connected) => mcp.client.callTool({ name: 'get_all_todos', arguments: {} });
  const spend = async (mcp: Connected) => {
    for (let i = 0; i < BUDGET; i++) expect((await list(mcp)).isError).toBeFalsy();
  };

  /** Every method besides tools/call that reads the database, as alice calls it. */
  const reads: [string, (mcp: Connected) => Promise<unknown>][] = [
    ['resources/list', (mcp) => mcp.client.listResources()],
    ['resources/read', (mcp) => mcp.client.readResource({ uri: `todo://${todo.id}` })],
    ['prompts/get', (mcp) => mcp.client.getPrompt({ name: 'plan_my_day', arguments: {} })],
    [
      'completion/complete',
      (mcp) => mcp.client.complete({ ref: TEMPLATE, argument: { name: 'id', value: '' } }),
    ],
  ];

  it('refuses the tool call beyond the budget with an isError result that says to wait', async () => {
    await spend(aliceMcp);
    const refused = await list(aliceMcp);
    expect(refused.isError).toBe(true);
    expect(textOf(refused)).toMatch(/too fast.*Wait \d+ seconds? before calling a tool again/s);
  });

  it('refuses a write beyond the budget without writing', async () => {
    await spend(aliceMcp);
    const refused = await aliceMcp.client.callTool({ name: 'create_todo', arguments: { title: 'Too many' } });
    expect(refused.isError).toBe(true);
    expect(countTodos(ctx)).toBe(1);
  });

  it.each(reads)(
    'refuses %s once tool calls spent the budget, with an error that says how long to wait',
    async (_method, read) => {
      await spend(aliceMcp);
      const refused = await read(aliceMcp).then(
        () => 'answered',
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ProtocolError);
      expect(refused).toMatchObject({ code: -32000, data: { retryAfterSeconds: expect.any(Number) } });
      expect((refused as ProtocolError).message).toMatch(/Too many requests: wait \d+ seconds/);
    },
  );

  it('spends the same budget on resources, prompts and completions as on tool calls', async () => {
    for (const [, read] of reads.slice(0, BUDGET)) await read(aliceMcp);
    expect((await list(aliceMcp)).isError).toBe(true);
  });

  it('leaves another user unaffected while one user is limited', async () => {
    await spend(aliceMcp);
    expect((await list(aliceMcp)).isError).toBe(true);
    await expect(aliceMcp.client.listResources()).rejects.toBeInstanceOf(ProtocolError);
    const result = await list(bobMcp);
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toMatchObject({ count: 0 });
    expect((await bobMcp.client.listResources()).resources.map((resource) => resource.uri)).toEqual([
      'todo://activity',
    ]);
  });
});
