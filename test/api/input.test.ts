import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Todo } from '../../src/repositories/types.ts';
import { bearer, by, countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

describe('request bodies', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let todo: Todo;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    todo = await ctx.services.todos.create(by(alice), { title: 'Existing' });
  });
  afterEach(() => ctx.close());

  /** POST, PUT and PATCH with the same raw JSON body. */
  const writeAll = (raw: string) =>
    Promise.all([
      request(ctx.app).post('/api/todos').set(bearer(alice)).type('json').send(raw),
      request(ctx.app).put(`/api/todos/${todo.id}`).set(bearer(alice)).type('json').send(raw),
      request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).type('json').send(raw),
    ]);

  // Server-owned fields, and the keys that pollute prototypes when merged carelessly. Raw
  // JSON, because an object literal with __proto__ would set the prototype, not a key.
  it.each([
    ['id', '"00000000-0000-4000-8000-000000000000"'],
    ['userId', '"00000000-0000-4000-8000-000000000001"'],
    ['version', '99'],
    ['createdAt', '"2000-01-01T00:00:00.000Z"'],
    ['updatedAt', '"2000-01-01T00:00:00.000Z"'],
    ['__proto__', '{"isAdmin": true, "version": 99}'],
    ['constructor', '{"prototype": {"polluted": true}}'],
  ])(
    'refuses a body with %s on POST, PUT and PATCH with 400, changing nothing stored',
    async (field, value) => {
      for (const res of await writeAll(`{"title": "Changed", "${field}": ${value}}`)) {
        const body = expectProblem(res, 400, 'validation-failed');
        expect(body.errors).toEqual([{ field: '', in: 'body', detail: `unknown field(s): ${field}` }]);
      }
      expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
      expect(countTodos(ctx)).toBe(1);
      expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    },
  );

  it('refuses malformed JSON with 400 problem+json, no HTML and no parser message', async () => {
    for (const res of await writeAll('{"title": "unterminated')) {
      const body = expectProblem(res, 400, 'malformed-body');
      expect(res.text).not.toMatch(/Unexpected|position|JSON\.parse/);
      expect(body.detail).toBe('The body is not valid JSON.');
    }
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses a body over the 32 kB limit with 413, writing nothing', async () => {
    const huge = JSON.stringify({ title: 'Big', description: 'x'.repeat(40 * 1024) });
    for (const res of await writeAll(huge)) expectProblem(res, 413, 'payload-too-large');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses Content-Type: text/plain with 415, even when the text is valid JSON', async () => {
    const raw = JSON.stringify({ title: 'Sneaky' });
    const results = await Promise.all([
      request(ctx.app).post('/api/todos').set(bearer(alice)).type('text/plain').send(raw),
      request(ctx.app).put(`/api/todos/${todo.id}`).set(bearer(alice)).type('text/plain').send(raw),
      request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).type('text/plain').send(raw),
    ]);
    for (const res of results) expectProblem(res, 415, 'unsupported-media-type');
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses a form-encoded todo with 415', async () => {
    const res = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .type('form')
      .send({ title: 'Form' });
    expectProblem(res, 415, 'unsupported-media-type');
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses an empty body with 400', async () => {
    const results = await Promise.all([
      request(ctx.app).post('/api/todos').set(bearer(alice)),
      request(ctx.app).post('/api/todos').set(bearer(alice)).type('json').send(''),
      request(ctx.app).put(`/api/todos/${todo.id}`).set(bearer(alice)).type('json'),
      request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).type('json'),
    ]);
    for (const res of results) expectProblem(res, 400);
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
    expect(countTodos(ctx)).toBe(1);
  });

  it.each(['null', '[]', '"Buy milk"', '42', 'true', '[{"title": "x"}]'])(
    'refuses the JSON body %s, which is not an object, with 400',
    async (raw) => {
      for (const res of await writeAll(raw)) expectProblem(res, 400);
      expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
      expect(countTodos(ctx)).toBe(1);
    },
  );

  it('refuses a PATCH that changes nothing ({}) with 400, keeping the version', async () => {
    const res = await request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).send({});
    expectProblem(res, 400, 'validation-failed');
    expect((await ctx.services.todos.get(alice.id, todo.id)).version).toBe(1);
  });

  it.each([
    ['priority', '0'],
    ['priority', '6'],
    ['priority', '2.5'],
    ['priority', '"3"'],
    ['completed', '"true"'],
    ['dueDate', '"2026-02-30"'],
    ['dueDate', '"tomorrow"'],
    ['description', '42'],
  ])('refuses %s = %s with 400 naming the field', async (field, value) => {
    const res = await request(ctx.app)
      .patch(`/api/todos/${todo.id}`)
      .set(bearer(alice))
      .type('json')
      .send(`{"${field}": ${value}}`);
    const body = expectProblem(res, 400, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ field, in: 'body' })]);
    expect(await ctx.services.todos.get(alice.id, todo.id)).toEqual(todo);
  });
});

describe('odd todo ids', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    await ctx.services.todos.create(by(alice), { title: 'Keep me' });
  });
  afterEach(() => ctx.close());

  const methods = (id: string) => [
    request(ctx.app).get(`/api/todos/${id}`).set(bearer(alice)),
    request(ctx.app).put(`/api/todos/${id}`).set(bearer(alice)).send({ title: 'x' }),
    request(ctx.app).patch(`/api/todos/${id}`).set(bearer(alice)).send({ title: 'x' }),
    request(ctx.app).delete(`/api/todos/${id}`).set(bearer(alice)),
  ];

  it.each([
    ['abc', 'abc'],
    ['-1', '-1'],
    ['0', '0'],
    ['%00 (an encoded NUL)', '%00'],
    ['5,000 characters', 'a'.repeat(5000)],
    ['an upper-case UUID of no todo', 'AAAAAAAA-AAAA-4AAA-8AAA-AAAAAAAAAAAA'],
    ['SQL', "1'%20OR%20'1'%3D'1"],
    ['%2e%2e (encoded dots)', '%2e%2e'],
    ['an encoded slash', 'a%2Fb'],
  ])('answers the id %s with 404 problem+json on GET, PUT, PATCH and DELETE', async (_name, id) => {
    for (const res of await Promise.all(methods(id))) expectProblem(res, 404, 'not-found');
    expect(countTodos(ctx)).toBe(1);
  });

  it.each([
    ['a lone %', '%'],
    ['a truncated escape', '%E0%A4%A'],
    ['invalid UTF-8', '%C3%28'],
  ])(
    'answers an id with %s, which cannot be decoded, with 400 problem+json, never 500',
    async (_name, id) => {
      for (const res of await Promise.all(methods(id))) expectProblem(res, 400, 'malformed-url');
      expect(countTodos(ctx)).toBe(1);
      expect(ctx.rawLogs()).not.toContain('unhandled error');
    },
  );

  it('never echoes more than 64 characters of an id it did not find', async () => {
    const res = await request(ctx.app)
      .get(`/api/todos/${'a'.repeat(5000)}`)
      .set(bearer(alice));
    expectProblem(res, 404);
    expect(res.text).not.toContain('a'.repeat(65));
  });
});
