// The activity log: every change is recorded with the interface it came through and the
// agent token acting, in the transaction of the change; GET /api/activity pages it by cursor
// and filters it by todo; it stays within its bounds per user and in age.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { activityPageSchema } from '../../src/api/openapi-schemas.ts';
import { SqliteConnection } from '../../src/repositories/sqlite/sqlite-connection.ts';
import { SqliteTodoRepository } from '../../src/repositories/sqlite/sqlite-todo-repository.ts';
import { bearer, by, countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { connect, ERAS } from '../mcp/mcp-helpers.ts';

describe('the activity log', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let bob: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
  });
  afterEach(() => ctx.close());

  const log = async (user: TestUser, query = '') => {
    const res = await request(ctx.app).get(`/api/activity${query}`).set(bearer(user));
    expect(res.status, res.text).toBe(200);
    // The documented schema is strict: an undocumented field fails here.
    return activityPageSchema.parse(res.body);
  };
  const mintAgent = async (audience: 'api' | 'mcp', name = `${audience} agent`) => {
    const res = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(bearer(alice))
      .send({ name, scopes: ['todos:read', 'todos:write'], audience });
    expect(res.status, res.text).toBe(201);
    return res.body as { id: string; token: string };
  };
  const create = (token: string, title: string) =>
    request(ctx.app).post('/api/todos').set('Authorization', `Bearer ${token}`).send({ title });

  it('attributes a REST change with a sign-in token to the API and to no agent', async () => {
    const todo = (await create(alice.token, 'by hand')).body;
    expect((await log(alice)).items).toEqual([
      {
        id: 1,
        at: todo.createdAt,
        todoId: todo.id,
        action: 'created',
        fields: [],
        version: 1,
        via: 'api',
        client: null,
      },
    ]);
  });

  it('attributes a REST change with an agent token to the API and to that token, by name', async () => {
    const agent = await mintAgent('api', 'nightly script');
    expect((await create(agent.token, 'scripted')).status).toBe(201);
    expect((await log(alice)).items[0]).toMatchObject({
      via: 'api',
      client: { kind: 'agent_token', id: agent.id, name: 'nightly script' },
    });
  });

  for (const era of ERAS) {
    it(`attributes an MCP change with an agent token to MCP and that token (${era} era)`, async () => {
      const agent = await mintAgent('mcp', `Claude (${era})`);
      const base = await ctx.listen();
      const mcp = await connect(base, { token: agent.token }, era);
      try {
        const made = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'from MCP' } });
        const id = String((made.structuredContent as { id: string }).id);
        await mcp.client.callTool({ name: 'update_todo', arguments: { id, completed: true } });
        // The person's own MCP client: that change is theirs, with no agent.
        const person = await connect(base, alice, era);
        await person.client.callTool({ name: 'delete_todo', arguments: { id } });
        await person.client.close();
      } finally {
        await mcp.client.close();
      }
      const agentClient = { kind: 'agent_token', id: agent.id, name: `Claude (${era})` };
      expect((await log(alice)).items.map(({ action, via, client }) => ({ action, via, client }))).toEqual([
        { action: 'deleted', via: 'mcp', client: null },
        { action: 'completed', via: 'mcp', client: agentClient },
        { action: 'created', via: 'mcp', client: agentClient },
      ]);
    });
  }

  it('names what each change did: the fields changed (never their values), completed, reopened, deleted', async () => {
    const todo = (await create(alice.token, 'Plan')).body;
    const path = `/api/todos/${todo.id}`;
    const as = bearer(alice);
    await request(ctx.app).patch(path).set(as).send({ title: 'Plan the trip', priority: 5 });
    await request(ctx.app).patch(path).set(as).send({ completed: true, description: 'booked' });
    await request(ctx.app).patch(path).set(as).send({ completed: false });
    // A full replacement with the values it already has changes no field, but is still a change.
    const current = (await request(ctx.app).get(path).set(as)).body;
    const { title, description, priority, completed, dueDate } = current;
    await request(ctx.app).put(path).set(as).send({ title, description, priority, completed, dueDate });
    await request(ctx.app).delete(path).set(as);

    const items = (await log(alice)).items;
    expect(items.map(({ id, action, fields, version }) => ({ id, action, fields, version }))).toEqual([
      { id: 6, action: 'deleted', fields: [], version: 5 },
      { id: 5, action: 'updated', fields: [], version: 5 },
      { id: 4, action: 'reopened', fields: ['completed'], version: 4 },
      { id: 3, action: 'completed', fields: ['description', 'completed'], version: 3 },
      { id: 2, action: 'updated', fields: ['title', 'priority'], version: 2 },
      { id: 1, action: 'created', fields: [], version: 1 },
    ]);
    expect(JSON.stringify(items)).not.toContain('Plan the trip');
    expect(JSON.stringify(items)).not.toContain('booked');
  });

  it('records nothing for a refused write', async () => {
    const todo = (await create(alice.token, 'Stay')).body;
    await request(ctx.app).patch(`/api/todos/${todo.id}`).set(bearer(alice)).set('If-Match', '"7"').send({
      title: 'x',
    });
    await request(ctx.app).delete(`/api/todos/${todo.id}`).set(bearer(bob));
    expect((await log(alice)).items).toHaveLength(1);
    expect((await log(bob)).items).toEqual([]);
  });

  it('pages newest first by cursor, filters by todo, and shows a user only their own entries', async () => {
    const first = (await create(alice.token, 'first')).body;
    for (let i = 0; i < 4; i++) await create(alice.token, `more ${i}`);
    await request(ctx.app).patch(`/api/todos/${first.id}`).set(bearer(alice)).send({ priority: 1 });
    await create(bob.token, "bob's");

    const pageOne = await log(alice, '?limit=4');
    expect(pageOne.items.map((entry) => entry.id)).toEqual([6, 5, 4, 3]);
    const pageTwo = await log(alice, `?limit=4&cursor=${pageOne.nextCursor}`);
    expect(pageTwo).toEqual({
      items: [expect.objectContaining({ id: 2 }), expect.objectContaining({ id: 1 })],
      nextCursor: null,
    });

    const ofFirst = await log(alice, `?todoId=${first.id}`);
    expect(ofFirst.items.map((entry) => entry.action)).toEqual(['updated', 'created']);
    expect((await log(bob, `?todoId=${first.id}`)).items).toEqual([]);
    expect((await log(bob)).items.map((entry) => entry.id)).toEqual([1]);
  });

  it('refuses a tampered cursor and bad parameters with 400', async () => {
    for (const query of ['?cursor=abc', '?limit=0', '?limit=101', '?todoId=nope', '?since=1']) {
      const res = await request(ctx.app).get(`/api/activity${query}`).set(bearer(alice));
      expect(res.status, query).toBe(400);
      expect(res.type, query).toBe('application/problem+json');
    }
  });

  it('makes no change whose entry cannot be written: the two commit together or not at all', async () => {
    const todo = (await create(alice.token, 'Kept as it was')).body;
    ctx.db.exec(
      "CREATE TRIGGER refuse_activity BEFORE INSERT ON activity BEGIN SELECT RAISE(ABORT, 'full'); END",
    );
    expect((await create(alice.token, 'never stored')).status).toBe(500);
    const patched = await request(ctx.app)
      .patch(`/api/todos/${todo.id}`)
      .set(bearer(alice))
      .send({ title: 'x' });
    expect(patched.status).toBe(500);
    expect((await request(ctx.app).delete(`/api/todos/${todo.id}`).set(bearer(alice))).status).toBe(500);
    expect(countTodos(ctx)).toBe(1);
    const stored = await request(ctx.app).get(`/api/todos/${todo.id}`).set(bearer(alice));
    expect(stored.body).toEqual(todo);
    ctx.db.exec('DROP TRIGGER refuse_activity');
    expect((await log(alice)).items.map((entry) => entry.id)).toEqual([1]);
    // The user's counter did not move either: the next entry is 2.
    await create(alice.token, 'now it works');
    expect((await log(alice)).items.map((entry) => entry.id)).toEqual([2, 1]);
  });
});

describe('the bounds of the activity log', () => {
  it('keeps at most the configured number of entries per user, the newest', async () => {
    const ctx = createTestContext({ activityMaxPerUser: 5 });
    try {
      const [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
      for (let i = 0; i < 12; i++) await ctx.services.todos.create(by(alice), { title: `t${i}` });
      await ctx.services.todos.create(by(bob), { title: 'one' });
      const page = await ctx.services.activity.list(alice.id, { limit: 100 });
      expect(page.items.map((entry) => entry.id)).toEqual([12, 11, 10, 9, 8]);
      expect(await ctx.services.activity.bounds(alice.id)).toEqual({ latest: 12, oldest: 8 });
      expect((await ctx.services.activity.list(bob.id, { limit: 100 })).items).toHaveLength(1);
    } finally {
      await ctx.close();
    }
  });

  it('deletes entries older than the retention in batches, and only those', async () => {
    const ctx = createTestContext({ activityRetentionDays: 30 });
    try {
      const alice = await ctx.signUp();
      const repository = new SqliteTodoRepository(new SqliteConnection(ctx.db));
      const day = 86_400_000;
      const write = (daysAgo: number, title: string) =>
        repository.insert(
          { actor: by(alice), at: new Date(Date.now() - daysAgo * day).toISOString(), keepActivity: 10_000 },
          {
            id: crypto.randomUUID(),
            title,
            description: '',
            priority: 3,
            completed: false,
            dueDate: null,
            createdAt: new Date().toISOString(),
            updatedAt: new Date().toISOString(),
            version: 1,
          },
          100_000,
        );
      // More old entries than one batch deletes, then recent ones.
      for (let i = 0; i < 1_200; i++) await write(40, `old ${i}`);
      for (let i = 0; i < 3; i++) await write(29, `recent ${i}`);

      expect(await ctx.services.activity.prune()).toBe(1_200);
      expect(await ctx.services.activity.bounds(alice.id)).toEqual({ latest: 1_203, oldest: 1_201 });
      expect(await ctx.services.activity.prune()).toBe(0);
    } finally {
      await ctx.close();
    }
  });
});
