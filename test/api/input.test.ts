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
        expect(body.errors).toEqual([
          {
            field,
            in: 'body',
            detail: expect.stringMatching(
              /^is not a known field; the fields are title, description, priority, /,
            ),
          },
        ]);
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

// One voice for every validation message: what the field must be, with its allowed values or
// range, beside the field's name; never zod's own phrasing ("Too big: expected number to be <=5").
describe('validation messages', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let todoId: string;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    todoId = (await ctx.services.todos.create(by(alice), { title: 'Existing' })).id;
  });
  afterEach(() => ctx.close());

  const ZOD_PHRASING = /Invalid|expected|received|Too (big|small)|[<>]=|Unrecognized/;

  it.each([
    ['priority', '9', 'must be an integer from 1 to 5'],
    ['priority', '2.5', 'must be an integer from 1 to 5'],
    ['priority', '"high"', 'must be an integer from 1 to 5'],
    ['completed', '"yes"', 'must be true or false'],
    ['dueDate', '"2026-13-01"', 'must be a date as YYYY-MM-DD'],
    ['dueDate', '"tomorrow"', 'must be a date as YYYY-MM-DD'],
    ['title', '42', 'must be a string'],
    ['title', '""', 'must not be empty'],
    ['description', 'false', 'must be a string'],
  ])('says %s = %s %s', async (field, value, detail) => {
    const res = await request(ctx.app)
      .put(`/api/todos/${todoId}`)
      .set(bearer(alice))
      .type('json')
      .send(`{"title": "Kept", "${field}": ${value}}`);
    expect(expectProblem(res, 400, 'validation-failed').errors).toEqual([{ field, in: 'body', detail }]);
  });

  it('reports every unknown field by its name, with the fields that exist', async () => {
    const res = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: 'x', due: '2026-12-01', tags: ['a'] });
    const detail = 'is not a known field; the fields are title, description, priority, dueDate';
    expect(expectProblem(res, 400, 'validation-failed').errors).toEqual([
      { field: 'due', in: 'body', detail },
      { field: 'tags', in: 'body', detail },
    ]);
  });

  it('says what a missing field is', async () => {
    const res = await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ priority: 2 });
    expect(expectProblem(res, 400).errors).toEqual([{ field: 'title', in: 'body', detail: 'is required' }]);
  });

  it.each([
    ['completed=yes', 'completed', 'must be true or false'],
    ['priority=7', 'priority', 'must be an integer from 1 to 5'],
    ['dueBefore=soon', 'dueBefore', 'must be a date as YYYY-MM-DD'],
    ['sort=title', 'sort', 'must be one of createdAt, updatedAt, dueDate, priority'],
    ['order=up', 'order', 'must be one of asc, desc'],
    ['limit=500', 'limit', 'must be an integer from 1 to 100'],
    ['limit=1&limit=2', 'limit', 'must be given once'],
    ['colour=red', 'colour', expect.stringMatching(/^is not a known field; the fields are completed, /)],
  ])('says of the query %s what %s must be', async (query, field, detail) => {
    const res = await request(ctx.app).get(`/api/todos?${query}`).set(bearer(alice));
    expect(expectProblem(res, 400, 'validation-failed').errors).toEqual([{ field, in: 'query', detail }]);
  });

  it.each([
    ['/api/auth/register', { username: 'ab', password: 'correct horse battery staple' }],
    ['/api/auth/register', { username: 'bob!', password: 'short' }],
    ['/api/auth/token', { username: '', password: 42 }],
    ['/api/auth/token', { username: 'bob', password: 'x', scope: 'todos:admin' }],
    ['/api/auth/tokens', { name: '', scopes: ['todos:all'], audience: 'web', expiresIn: 1 }],
    ['/api/auth/tokens', { name: 'x', scopes: [], expiresIn: 'forever' }],
  ])('words every message on %s in our voice (%j)', async (path, body) => {
    const res = await request(ctx.app).post(path).set(bearer(alice)).send(body);
    const errors = expectProblem(res, 400, 'validation-failed').errors as { field: string; detail: string }[];
    expect(errors.length).toBeGreaterThan(0);
    for (const error of errors) {
      expect(error.field, error.detail).not.toBe('');
      expect(error.detail).not.toMatch(ZOD_PHRASING);
    }
  });

  it('names the allowed values of an agent token', async () => {
    const res = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(bearer(alice))
      .send({ name: 'x', scopes: ['todos:all'], audience: 'web', expiresIn: 1 });
    expect(expectProblem(res, 400).errors).toEqual([
      { field: 'scopes.0', in: 'body', detail: 'must be one of todos:read, todos:write' },
      { field: 'audience', in: 'body', detail: 'must be one of mcp, api, both' },
      { field: 'expiresIn', in: 'body', detail: 'must be a number of seconds from 60 to 7776000 (90 days)' },
    ]);
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
