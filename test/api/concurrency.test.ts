import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { bearer, by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

describe('optimistic concurrency with If-Match', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let todo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    const first = await ctx.services.todos.create(by(alice), { title: 'Draft' });
    // Now at version 2, so "1" is a version the client really saw and that moved on.
    todo = await ctx.services.todos.patch(by(alice), first.id, { description: 'edited elsewhere' });
  });
  afterEach(() => ctx.close());

  const put = (ifMatch: string, title = 'Replaced') =>
    request(ctx.app).put(`/api/todos/${todo.id}`).set(bearer(alice)).set('If-Match', ifMatch).send({ title });
  const patch = (ifMatch: string, body: Record<string, unknown> = { completed: true }) =>
    request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).set('If-Match', ifMatch).send(body);
  const del = (ifMatch: string) =>
    request(ctx.app).delete(`/api/todos/${todo.id}`).set(bearer(alice)).set('If-Match', ifMatch);

  it('applies a PATCH whose If-Match is the current version and answers the new ETag', async () => {
    const res = await patch('"2"');
    expect(res.status).toBe(200);
    expect(res.headers.etag).toBe('"3"');
    expect((await ctx.services.todos.get(alice.id, todo.id)).completed).toBe(true);
  });

  it('refuses a PATCH with a stale If-Match with 412 and the current version, writing nothing', async () => {
    const body = expectProblem(await patch('"1"'), 412, 'precondition-failed');
    expect(body.currentVersion).toBe(2);
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('refuses a PUT with a stale If-Match with 412, writing nothing', async () => {
    expectProblem(await put('"1"'), 412, 'precondition-failed');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('refuses a DELETE with a stale If-Match with 412, keeping the todo', async () => {
    expectProblem(await del('"1"'), 412, 'precondition-failed');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('refuses an If-Match from the future with 412, writing nothing', async () => {
    expectProblem(await patch('"3"'), 412, 'precondition-failed');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('never matches a weak or foreign entity tag: 412, writing nothing', async () => {
    for (const tag of ['W/"2"', '"abc"', '""']) {
      expectProblem(await patch(tag), 412, 'precondition-failed');
    }
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('answers an If-Match without its quotes with 400 showing the quoting, never a 412 for the current version', async () => {
    for (const write of [put, patch, del]) {
      const body = expectProblem(await write('2'), 400, 'validation-failed');
      expect(body.errors).toEqual([
        {
          field: 'If-Match',
          in: 'header',
          detail: 'must be an entity tag in double quotes, as ETag sends it: If-Match: "2"',
        },
      ]);
    }
    for (const tag of ['"2', '2"', "'2'", 'W/2']) {
      expectProblem(await patch(tag), 400, 'validation-failed');
    }
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('refuses an If-Match listing several tags with 400, writing nothing', async () => {
    const body = expectProblem(await patch('"1", "2"'), 400, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ field: 'If-Match', in: 'header' })]);
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });

  it('lets exactly one of two racing PATCHes with the same If-Match win; the other gets 412', async () => {
    const [first, second] = await Promise.all([
      patch('"2"', { title: 'From the phone' }),
      patch('"2"', { title: 'From the agent' }),
    ]);
    const statuses = [first?.status, second?.status].sort();
    expect(statuses).toEqual([200, 412]);
    const winner = first?.status === 200 ? first : second;
    const stored = await ctx.services.todos.get(alice.id, todo.id);
    expect(stored.version).toBe(3);
    expect(stored.title).toBe(winner?.body.title);
  });

  it('lets exactly one of ten racing writes (PUT, PATCH, DELETE) with the same If-Match win', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        i % 3 === 0
          ? put('"2"', `put ${i}`)
          : i % 3 === 1
            ? patch('"2"', { title: `patch ${i}` })
            : del('"2"'),
      ),
    );
    const winners = results.filter((res) => res.status === 200 || res.status === 204);
    expect(winners).toHaveLength(1);
    // The losers see either the new version (412) or, after a winning DELETE, no todo (404).
    for (const res of results) expect([200, 204, 404, 412]).toContain(res.status);
    const row = ctx.db.prepare('SELECT version FROM todos WHERE id = ?').pluck().get(todo.id);
    expect(row).toBe(winners[0]?.status === 204 ? undefined : 3);
  });

  it('updates unconditionally without If-Match, or with If-Match: *', async () => {
    expect(
      (await request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).send({ priority: 5 })).status,
    ).toBe(200);
    expect((await patch('*', { priority: 1 })).status).toBe(200);
    expect((await ctx.services.todos.get(alice.id, todo.id)).version).toBe(4);
  });
});
