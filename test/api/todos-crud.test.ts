import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestContext, type TestContext, type TestUser } from '../helpers.ts';

describe('todos CRUD over REST', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  it('creates a todo with defaults, Location and ETag, and reads it back', async () => {
    const created = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: '  Buy milk  ' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      title: 'Buy milk',
      description: '',
      priority: 3,
      completed: false,
      dueDate: null,
      version: 1,
    });
    expect(created.headers.location).toBe(`/api/todos/${created.body.id}`);
    expect(created.headers.etag).toBe('"1"');

    const fetched = await request(ctx.app).get(String(created.headers.location)).set(bearer(alice));
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    expect(fetched.headers.etag).toBe('"1"');
  });

  it('patches only the fields sent and bumps the version', async () => {
    const created = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: 'Write report', description: 'draft', dueDate: '2026-12-24' });
    const patched = await request(ctx.app)
      .patch(`/api/todos/${created.body.id}`)
      .set(bearer(alice))
      .set('If-Match', '"1"')
      .send({ completed: true, dueDate: null });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({
      title: 'Write report',
      description: 'draft',
      completed: true,
      dueDate: null,
      version: 2,
    });
    expect(patched.headers.etag).toBe('"2"');
  });

  it('replaces every editable field on PUT, resetting what is left out', async () => {
    const created = await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .send({ title: 'Old', description: 'details', priority: 5 });
    const replaced = await request(ctx.app)
      .put(`/api/todos/${created.body.id}`)
      .set(bearer(alice))
      .send({ title: 'New' });
    expect(replaced.status).toBe(200);
    expect(replaced.body).toMatchObject({
      title: 'New',
      description: '',
      priority: 3,
      completed: false,
      dueDate: null,
      version: 2,
    });
  });

  it('deletes a todo, after which it is not found', async () => {
    const created = await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: 'Temporary' });
    const deleted = await request(ctx.app).delete(`/api/todos/${created.body.id}`).set(bearer(alice));
    expect(deleted.status).toBe(204);
    const fetched = await request(ctx.app).get(`/api/todos/${created.body.id}`).set(bearer(alice));
    expect(fetched.status).toBe(404);
    expect(fetched.type).toBe('application/problem+json');
  });

  it('pages through a list with nextCursor and never repeats or skips a todo', async () => {
    const titles = Array.from({ length: 7 }, (_, i) => `todo ${i}`);
    for (const title of titles) await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: Record<string, string> = { limit: '3', ...(cursor ? { cursor } : {}) };
      const page = await request(ctx.app).get('/api/todos').query(query).set(bearer(alice));
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((todo: { title: string }) => todo.title));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(titles);
  });
});
