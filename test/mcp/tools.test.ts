import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, ERAS, textOf } from './mcp-helpers.ts';

describe.each(ERAS)('MCP tools in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let mcp: Connected;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
    mcp = await connect(base, alice, era);
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  it('negotiates the expected protocol era', () => {
    expect(mcp.client.getProtocolEra()).toBe(era);
    if (era === 'legacy') expect(mcp.transport.sessionId).toMatch(/^[0-9a-f-]{36}$/);
    else expect(mcp.transport.sessionId).toBeUndefined();
  });

  it('lists the five curated tools', async () => {
    const { tools } = await mcp.client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      'create_todo',
      'delete_todo',
      'get_all_todos',
      'get_todo_by_id',
      'update_todo',
    ]);
  });

  it('creates, reads, updates and deletes a todo', async () => {
    const created = await mcp.client.callTool({
      name: 'create_todo',
      arguments: { title: 'Buy milk', priority: 4 },
    });
    expect(created.isError).toBeFalsy();
    const todo = created.structuredContent as { id: string; version: number; title: string };
    expect(todo).toMatchObject({ title: 'Buy milk', priority: 4, version: 1 });

    const fetched = await mcp.client.callTool({ name: 'get_todo_by_id', arguments: { id: todo.id } });
    expect(fetched.structuredContent).toEqual(todo);

    const updated = await mcp.client.callTool({
      name: 'update_todo',
      arguments: { id: todo.id, completed: true, expectedVersion: 1 },
    });
    expect(updated.structuredContent).toMatchObject({ completed: true, version: 2, title: 'Buy milk' });

    const listed = await mcp.client.callTool({ name: 'get_all_todos', arguments: {} });
    expect(listed.structuredContent).toMatchObject({ count: 1, nextCursor: null });

    const deleted = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(deleted.structuredContent).toEqual({ deleted: true, id: todo.id });
    expect(await ctx.services.todos.list(alice.id, { sort: 'createdAt', order: 'asc', limit: 10 })).toEqual({
      items: [],
      nextCursor: null,
    });
  });

  it('keeps the todo when the user declines the delete confirmation', async () => {
    const created = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'Keep me' } });
    const { id } = created.structuredContent as { id: string };
    mcp.setElicitAnswer('decline');
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id } });
    expect(result.structuredContent).toEqual({ deleted: false, id });
    expect(textOf(result)).toContain('Not deleted');
    await expect(ctx.services.todos.get(alice.id, id)).resolves.toMatchObject({ title: 'Keep me' });
  });

  it('reports a stale expectedVersion as a recoverable tool error and writes nothing', async () => {
    const created = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'Original' } });
    const { id } = created.structuredContent as { id: string };
    await mcp.client.callTool({ name: 'update_todo', arguments: { id, title: 'Changed by someone' } });
    const stale = await mcp.client.callTool({
      name: 'update_todo',
      arguments: { id, title: 'Mine', expectedVersion: 1 },
    });
    expect(stale.isError).toBe(true);
    expect(textOf(stale)).toContain('expectedVersion 2');
    await expect(ctx.services.todos.get(alice.id, id)).resolves.toMatchObject({
      title: 'Changed by someone',
      version: 2,
    });
  });
});
