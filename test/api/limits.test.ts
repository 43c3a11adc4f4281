import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { expectProblem } from './expect-problem.ts';

const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const decodeCursor = (cursor: string) => JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));

describe('list limits and cursors', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let cursor: string;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    for (const title of ['one', 'two', 'three']) await ctx.services.todos.create(by(alice), { title });
    cursor = (await ctx.services.todos.list(alice.id, { sort: 'createdAt', order: 'asc', limit: 1 }))
      .nextCursor as string;
  });
  afterEach(() => ctx.close());

  const list = (query: string) => request(ctx.app).get(`/api/todos?${query}`).set(bearer(alice));

  const expectQueryRefused = async (query: string, field: string) => {
    const body = expectProblem(await list(query), 400, 'validation-failed');
    expect(body.errors).toEqual([expect.objectContaining({ field })]);
  };

  it('accepts the maximum limit of 100 and serves pages of the size asked', async () => {
    expect((await list('limit=100')).status).toBe(200);
    const page = await list('limit=2');
    expect(page.body.items).toHaveLength(2);
    expect(page.body.nextCursor).toEqual(expect.any(String));
  });

  it.each(['101', '1000', '99999999999'])('refuses limit=%s, above the maximum, with 400', async (limit) => {
    await expectQueryRefused(`limit=${limit}`, 'limit');
  });

  it.each(['-1', '0'])('refuses limit=%s, below one, with 400', async (limit) => {
    await expectQueryRefused(`limit=${limit}`, 'limit');
  });

  it.each(['abc', '1.5', '1e2', '0x10', '', '%2010'])(
    'refuses the non-numeric limit=%s with 400',
    async (limit) => {
      await expectQueryRefused(`limit=${limit}`, 'limit');
    },
  );

  it('refuses a repeated limit with 400 rather than picking one', async () => {
    await expectQueryRefused('limit=1&limit=2', 'limit');
  });

  it('refuses a nested query parameter such as limit[a]=1 with 400', async () => {
    expectProblem(await list('limit[a]=1'), 400, 'validation-failed');
  });

  it('continues from a genuine cursor (the control for the tampered ones below)', async () => {
    // Todos created in the same millisecond are ordered by id, so compare with the full list.
    const all = await list('limit=3');
    const res = await list(`limit=1&cursor=${cursor}`);
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([all.body.items[1]]);
  });

  it.each([
    ['garbage', () => 'not-a-cursor!!'],
    ['base64 of text that is not JSON', () => Buffer.from('hello').toString('base64url')],
    ['truncated', (c: string) => c.slice(0, -6)],
    ['with an extra field', (c: string) => encodeCursor({ ...decodeCursor(c), admin: true })],
    [
      'with its id replaced by a non-UUID',
      (c: string) => encodeCursor({ ...decodeCursor(c), i: "x' OR 1=1" }),
    ],
    ['with its key replaced by a number', (c: string) => encodeCursor({ ...decodeCursor(c), k: 5 })],
    [
      'with its key replaced by an object',
      (c: string) => encodeCursor({ ...decodeCursor(c), k: { $gt: '' } }),
    ],
    ['with its key replaced by free text', (c: string) => encodeCursor({ ...decodeCursor(c), k: 'zzz' })],
    ['made for another sort', (c: string) => encodeCursor({ ...decodeCursor(c), s: 'priority', k: 3 })],
    ['made for another order', (c: string) => encodeCursor({ ...decodeCursor(c), o: 'desc' })],
    ['of 600 characters', () => 'a'.repeat(600)],
  ])('refuses a cursor that is %s with 400', async (_name, tamper) => {
    await expectQueryRefused(`limit=1&cursor=${encodeURIComponent(tamper(cursor))}`, 'cursor');
  });

  it('refuses a priority cursor whose key is not a priority, and a due-date cursor whose key is not a date', async () => {
    const id = randomUUID();
    await expectQueryRefused(
      `sort=priority&cursor=${encodeCursor({ s: 'priority', o: 'asc', k: 9, i: id })}`,
      'cursor',
    );
    await expectQueryRefused(
      `sort=dueDate&cursor=${encodeCursor({ s: 'dueDate', o: 'asc', k: '2026-13-45', i: id })}`,
      'cursor',
    );
  });

  it('pages through every sort with its own cursors', async () => {
    for (const sort of ['createdAt', 'updatedAt', 'priority', 'dueDate']) {
      const first = await list(`sort=${sort}&limit=2`);
      expect(first.status).toBe(200);
      const second = await list(`sort=${sort}&limit=2&cursor=${first.body.nextCursor}`);
      expect(second.status).toBe(200);
      expect(second.body.items).toHaveLength(1);
    }
  });
});

describe('per-user todo cap', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext({ maxTodosPerUser: 3 });
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  const create = (user: TestUser, title: string) =>
    request(ctx.app).post('/api/todos').set(bearer(user)).send({ title });
  const countFor = (user: TestUser) =>
    ctx.db.prepare('SELECT count(*) FROM todos WHERE user_id = ?').pluck().get(user.id);

  it('refuses the todo past the cap with 409 quota-exceeded that names the limit, storing none', async () => {
    for (const title of ['a', 'b', 'c']) expect((await create(alice, title)).status).toBe(201);
    const res = await create(alice, 'd');
    const body = expectProblem(res, 409, 'quota-exceeded');
    expect(body.limit).toBe(3);
    expect(body.detail).toMatch(/3 todos/);
    expect(countFor(alice)).toBe(3);
  });

  it('lets the user create again after deleting one', async () => {
    const ids: string[] = [];
    for (const title of ['a', 'b', 'c']) ids.push((await create(alice, title)).body.id);
    await request(ctx.app).delete(`/api/todos/${ids[0]}`).set(bearer(alice)).expect(204);
    expect((await create(alice, 'd')).status).toBe(201);
    expect(countFor(alice)).toBe(3);
  });

  it('counts per user: a full account does not stop another user', async () => {
    const bob = await ctx.signUp();
    for (const title of ['a', 'b', 'c']) await create(alice, title);
    expect((await create(alice, 'd')).status).toBe(409);
    expect((await create(bob, 'b1')).status).toBe(201);
  });

  it('holds under concurrent creates: ten at once store exactly three', async () => {
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => create(alice, `t${i}`)));
    const statuses = results.map((res) => res.status).sort();
    expect(statuses).toEqual([201, 201, 201, 409, 409, 409, 409, 409, 409, 409]);
    expect(countFor(alice)).toBe(3);
  });
});
