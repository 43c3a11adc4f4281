// Both edges and both protocol eras work on the same services and database: a change made
// through one is visible through every other. Pagination through get_all_todos is complete.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { bearer, by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, ERAS } from './mcp-helpers.ts';

interface TodoPage {
  todos: Todo[];
  count: number;
  nextCursor: string | null;
}

describe.each(ERAS)('MCP and REST over the same data in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let mcp: Connected;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    mcp = await connect(await ctx.listen(), alice, era);
  });
  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  it('pages through get_all_todos with limit 2, visiting every todo exactly once', async () => {
    const created: Todo[] = [];
    for (let i = 1; i <= 5; i++)
      created.push(await ctx.services.todos.create(by(alice), { title: `Task ${i}` }));
    const seen: string[] = [];
    const pages: number[] = [];
    let cursor: string | null = null;
    do {
      const result = await mcp.client.callTool({
        name: 'get_all_todos',
        arguments: { limit: 2, ...(cursor ? { cursor } : {}) },
      });
      expect(result.isError).toBeFalsy();
      const page = result.structuredContent as unknown as TodoPage;
      pages.push(page.count);
      seen.push(...page.todos.map((todo) => todo.id));
      cursor = page.nextCursor;
    } while (cursor !== null && pages.length < 10);
    expect(pages).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].sort()).toEqual(created.map((todo) => todo.id).sort());
  });

  it('shows a todo created through REST to MCP', async () => {
    const res = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: 'Made in the web app', priority: 2 });
    expect(res.status).toBe(201);
    const result = await mcp.client.callTool({ name: 'get_todo_by_id', arguments: { id: res.body.id } });
    expect(result.structuredContent).toEqual(res.body);
  });

  it('shows a change made through MCP to REST', async () => {
    const created = await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: 'Draft' });
    const updated = await mcp.client.callTool({
      name: 'update_todo',
      arguments: { id: created.body.id, title: 'Final', completed: true, expectedVersion: 1 },
    });
    expect(updated.isError).toBeFalsy();
    const res = await request(ctx.app).get(`/api/todos/${created.body.id}`).set(bearer(alice));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(updated.structuredContent);
    expect(res.body).toMatchObject({ title: 'Final', completed: true, version: 2 });
  });

  it('shows a todo deleted through MCP as gone to REST', async () => {
    const created = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: 'Short-lived' });
    await mcp.client.callTool({ name: 'delete_todo', arguments: { id: created.body.id } });
    const res = await request(ctx.app).get(`/api/todos/${created.body.id}`).set(bearer(alice));
    expect(res.status).toBe(404);
  });
});

describe('the two protocol eras as the same user', () => {
  let ctx: TestContext;
  let modern: Connected;
  let legacy: Connected;

  beforeEach(async () => {
    ctx = createTestContext();
    const alice = await ctx.signUp();
    const base = await ctx.listen();
    [modern, legacy] = await Promise.all([connect(base, alice, 'modern'), connect(base, alice, 'legacy')]);
  });
  afterEach(async () => {
    await Promise.all([modern.client.close(), legacy.client.close()]);
    await ctx.close();
  });

  it('connect in their own eras', () => {
    expect(modern.client.getProtocolEra()).toBe('modern');
    expect(legacy.client.getProtocolEra()).toBe('legacy');
  });

  it("see each other's changes", async () => {
    const created = await modern.client.callTool({ name: 'create_todo', arguments: { title: 'From 2026' } });
    const { id } = created.structuredContent as { id: string };
    const seenByLegacy = await legacy.client.callTool({ name: 'get_todo_by_id', arguments: { id } });
    expect(seenByLegacy.structuredContent).toEqual(created.structuredContent);

    const updated = await legacy.client.callTool({
      name: 'update_todo',
      arguments: { id, title: 'Edited from 2025', expectedVersion: 1 },
    });
    const seenByModern = await modern.client.callTool({ name: 'get_all_todos', arguments: {} });
    expect((seenByModern.structuredContent as unknown as TodoPage).todos).toEqual([
      updated.structuredContent,
    ]);
  });
});
