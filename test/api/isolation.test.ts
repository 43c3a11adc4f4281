import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { NotFoundError } from '../../src/services/errors.ts';
import { bearer, by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

type Attempt = (ctx: TestContext, user: TestUser, id: string, ifMatch?: string) => request.Test;

const withIfMatch = (req: request.Test, ifMatch?: string) => (ifMatch ? req.set('If-Match', ifMatch) : req);

// Each request another user might send to a todo, with a body that would otherwise be valid.
const ATTEMPTS: [string, Attempt][] = [
  ['GET', (ctx, user, id) => request(ctx.app).get(`/api/todos/${id}`).set(bearer(user))],
  [
    'PUT',
    (ctx, user, id, ifMatch) =>
      withIfMatch(request(ctx.app).put(`/api/todos/${id}`).set(bearer(user)), ifMatch).send({
        title: 'Hijacked',
      }),
  ],
  [
    'PATCH',
    (ctx, user, id, ifMatch) =>
      withIfMatch(request(ctx.app).patch(`/api/todos/${id}`).set(bearer(user)), ifMatch).send({
        completed: true,
      }),
  ],
  [
    'DELETE',
    (ctx, user, id, ifMatch) =>
      withIfMatch(request(ctx.app).delete(`/api/todos/${id}`).set(bearer(user)), ifMatch),
  ],
];

const WRITES = ATTEMPTS.filter(([method]) => method !== 'GET');

describe("object-level authorization: another user's todos", () => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;
  let todo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    bob = await ctx.signUp();
    todo = await ctx.services.todos.create(by(alice), { title: "Alice's secret", description: 'private' });
  });
  afterEach(() => ctx.close());

  it.each(ATTEMPTS)(
    "answers %s on another user's todo with 404, byte-identical to a missing id, leaving the todo unchanged",
    async (_method, attempt) => {
      const foreign = await attempt(ctx, bob, todo.id);
      expectProblem(foreign, 404, 'not-found');
      expect(foreign.text).not.toContain("Alice's secret");
      expect(foreign.headers.etag).toBeUndefined();
      expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);

      // The very same id once it no longer exists: nothing may tell the two answers apart.
      await ctx.services.todos.delete(by(alice), todo.id);
      const missing = await attempt(ctx, bob, todo.id);
      expect(missing.status).toBe(foreign.status);
      expect(missing.headers['content-type']).toBe(foreign.headers['content-type']);
      expect(missing.text).toBe(foreign.text);
    },
  );

  it.each(ATTEMPTS)(
    'answers %s on a never-existing id with the same body as on a foreign one, apart from the id',
    async (_method, attempt) => {
      const neverExisted = randomUUID();
      const foreign = await attempt(ctx, bob, todo.id);
      const missing = await attempt(ctx, bob, neverExisted);
      expect(missing.status).toBe(404);
      expect(missing.text.replaceAll(neverExisted, todo.id)).toBe(foreign.text);
    },
  );

  it.each(WRITES)(
    "answers %s with If-Match set to the foreign todo's real version with 404, never a revealing 412",
    async (_method, attempt) => {
      const res = await attempt(ctx, bob, todo.id, `"${todo.version}"`);
      expectProblem(res, 404, 'not-found');
      expect(res.body.currentVersion).toBeUndefined();
      expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    },
  );

  it.each(WRITES)(
    'answers %s with a stale If-Match on a foreign todo with 404, never a revealing 412',
    async (_method, attempt) => {
      const res = await attempt(ctx, bob, todo.id, '"7"');
      expectProblem(res, 404, 'not-found');
      expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    },
  );

  it("lists only the caller's own todos", async () => {
    const own = await ctx.services.todos.create(by(bob), { title: "Bob's" });
    const res = await request(ctx.app).get('/api/todos').set(bearer(bob));
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([own]);
    const searched = await request(ctx.app).get('/api/todos').query({ q: 'secret' }).set(bearer(bob));
    expect(searched.body.items).toEqual([]);
  });

  it("leaves the owner's todo readable and at version 1 after every foreign attempt", async () => {
    for (const [, attempt] of ATTEMPTS) await attempt(ctx, bob, todo.id);
    const res = await request(ctx.app).get(`/api/todos/${todo.id}`).set(bearer(alice));
    expect(res.status).toBe(200);
    expect(res.body).toEqual(todo);
    expect(res.headers.etag).toBe('"1"');
  });

  it("refuses another user's todo in the service itself, whoever calls it", async () => {
    await expect(ctx.services.todos.get(bob.id, todo.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(ctx.services.todos.patch(by(bob), todo.id, { title: 'x' })).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(ctx.services.todos.delete(by(bob), todo.id)).rejects.toBeInstanceOf(NotFoundError);
    const row = ctx.db.prepare('SELECT title, version FROM todos WHERE id = ?').get(todo.id);
    expect(row).toEqual({ title: "Alice's secret", version: 1 });
  });
});
