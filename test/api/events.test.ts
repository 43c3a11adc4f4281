// GET /api/events over real HTTP: each user gets only their own changes, whichever interface
// made them; Last-Event-ID resumes without a gap or a duplicate; the per-user cap, heartbeats,
// revocation, and the scope are enforced.
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteConnection } from '../../src/repositories/sqlite/sqlite-connection.ts';
import { SqliteTodoRepository } from '../../src/repositories/sqlite/sqlite-todo-repository.ts';
import type { ActivityEntry } from '../../src/repositories/types.ts';
import { bearer, by, createTestContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect } from '../mcp/mcp-helpers.ts';
import { changeIds, type EventReader, openEvents } from '../sse-client.ts';

const entries = (reader: EventReader): ActivityEntry[] =>
  reader.events.filter((event) => event.event === 'change').map((event) => JSON.parse(event.data));
const isReady = (reader: EventReader) => reader.events.some((event) => event.event === 'ready');
const count = (n: number) => (events: { event: string }[]) =>
  events.filter((event) => event.event === 'change').length >= n;

describe('GET /api/events', () => {
  let ctx: TestContext;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  const readers: EventReader[] = [];
  const clients: Connected[] = [];

  const open = async (user: TestUser | undefined, lastEventId?: string) => {
    const reader = await openEvents(base, {
      ...(user ? { token: user.token } : {}),
      ...(lastEventId === undefined ? {} : { lastEventId }),
    });
    readers.push(reader);
    if (reader.status === 200) await reader.until((events) => events.some((e) => e.event !== 'change'));
    return reader;
  };
  const createRest = async (user: TestUser, title: string) =>
    (await request(ctx.app).post('/api/todos').set(bearer(user)).send({ title })).body.id as string;

  beforeEach(async () => {
    ctx = createTestContext({ events: { maxStreamsPerUser: 2, heartbeatMs: 60_000 } });
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    base = await ctx.listen();
  });
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await Promise.all(clients.splice(0).map((each) => each.client.close()));
    await ctx.close();
  });

  it('streams with the event-stream type, no caching, and a ready event at the current position', async () => {
    await createRest(alice, 'before the stream');
    const reader = await open(alice);
    expect(reader.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    expect(reader.headers.get('cache-control')).toBe('no-store');
    expect(reader.events).toEqual([{ event: 'ready', id: '1', data: '{"latest":1}' }]);
  });

  it('sends each user only their own changes, from REST and MCP interleaved', async () => {
    const [aliceStream, bobStream] = [await open(alice), await open(bob)];
    const [aliceMcp, bobMcp] = [await connect(base, alice, 'modern'), await connect(base, bob, 'legacy')];
    clients.push(aliceMcp, bobMcp);
    const aliceTodos = new Set<string>();
    const bobTodos = new Set<string>();
    for (let round = 0; round < 3; round++) {
      aliceTodos.add(await createRest(alice, `alice rest ${round}`));
      const made = await bobMcp.client.callTool({
        name: 'create_todo',
        arguments: { title: `bob mcp ${round}` },
      });
      bobTodos.add(String((made.structuredContent as { id: string }).id));
      const mine = await aliceMcp.client.callTool({
        name: 'create_todo',
        arguments: { title: `alice mcp ${round}` },
      });
      aliceTodos.add(String((mine.structuredContent as { id: string }).id));
      bobTodos.add(await createRest(bob, `bob rest ${round}`));
    }
    const [firstOfBob] = bobTodos;
    await request(ctx.app).patch(`/api/todos/${firstOfBob}`).set(bearer(bob)).send({ completed: true });

    await aliceStream.until(count(6));
    await bobStream.until(count(7));
    expect(changeIds(aliceStream.events)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(changeIds(bobStream.events)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(entries(aliceStream).every((entry) => aliceTodos.has(entry.todoId))).toBe(true);
    expect(entries(bobStream).every((entry) => bobTodos.has(entry.todoId))).toBe(true);
    expect(entries(bobStream).map((entry) => `${entry.action} via ${entry.via}`)).toEqual([
      ...Array.from({ length: 3 }, () => ['created via mcp', 'created via api']).flat(),
      'completed via api',
    ]);
    // Nothing else arrives for either: a change of Bob's is not waiting somewhere in Alice's stream.
    await createRest(alice, 'last one');
    await aliceStream.until(count(7));
    expect(changeIds(bobStream.events)).toHaveLength(7);
  });

  it('resumes after Last-Event-ID with what was missed, then live changes, without a gap or a duplicate', async () => {
    const first = await open(alice);
    const id = await createRest(alice, 'one');
    await createRest(alice, 'two');
    await first.until(count(2));
    first.close();
    // Missed while disconnected: an update, a delete, a create.
    await request(ctx.app).patch(`/api/todos/${id}`).set(bearer(alice)).send({ title: 'one, renamed' });
    await request(ctx.app).delete(`/api/todos/${id}`).set(bearer(alice));
    await createRest(alice, 'three');

    const resumed = await open(alice, first.events.at(-1)?.id);
    expect(resumed.events.map((event) => `${event.event} ${event.id}`)).toEqual([
      'change 3',
      'change 4',
      'change 5',
      'ready 5',
    ]);
    expect(entries(resumed).map((entry) => entry.action)).toEqual(['updated', 'deleted', 'created']);
    expect(entries(resumed)[0]?.fields).toEqual(['title']);
    await createRest(alice, 'four');
    await resumed.until(count(4));
    expect(changeIds(resumed.events)).toEqual([3, 4, 5, 6]);
  });

  it('fills a change whose notification arrives late from the log, keeping the order', async () => {
    const reader = await open(alice);
    await createRest(alice, 'first');
    await reader.until(count(1));
    // A change committed by another process, whose notification has not reached this one yet.
    const elsewhere = new SqliteTodoRepository(new SqliteConnection(ctx.db));
    const first = (await ctx.services.todos.list(alice.id, { sort: 'createdAt', order: 'asc', limit: 1 }))
      .items[0];
    await elsewhere.update(
      { actor: by(alice), at: new Date().toISOString(), keepActivity: 1000 },
      first?.id ?? '',
      { priority: 5 },
    );
    await createRest(alice, 'third');
    await reader.until(count(3));
    expect(changeIds(reader.events)).toEqual([1, 2, 3]);
    expect(entries(reader)[1]).toMatchObject({ action: 'updated', fields: ['priority'] });
  });

  it('tells a client to reload when the log no longer holds what it missed, or the id is not ours', async () => {
    const small = createTestContext({ activityMaxPerUser: 3 });
    try {
      const user = await small.signUp();
      const smallBase = await small.listen();
      for (let i = 0; i < 6; i++)
        await request(small.app)
          .post('/api/todos')
          .set(bearer(user))
          .send({ title: `t${i}` });
      for (const lastEventId of ['1', '99', 'not-a-number']) {
        const reader = await openEvents(smallBase, { token: user.token, lastEventId });
        readers.push(reader);
        await reader.until((events) => events.length > 0);
        expect(reader.events[0]?.event, lastEventId).toBe('reload');
        expect(reader.events[0]?.id, lastEventId).toBe('6');
        expect(JSON.parse(reader.events[0]?.data ?? '{}')).toMatchObject({ latest: 6 });
      }
      // What the log still holds is replayed, not reloaded.
      const kept = await openEvents(smallBase, { token: user.token, lastEventId: '3' });
      readers.push(kept);
      await kept.until((events) => events.some((event) => event.event === 'ready'));
      expect(changeIds(kept.events)).toEqual([4, 5, 6]);
    } finally {
      for (const reader of readers.splice(0)) reader.close();
      await small.close();
    }
  });

  it("refuses a user's stream beyond their cap with 429 problem+json, and leaves others theirs", async () => {
    await open(alice);
    await open(alice);
    const refused = await request(ctx.app).get('/api/events').set(bearer(alice));
    expect(refused.status).toBe(429);
    expect(refused.type).toBe('application/problem+json');
    expect(refused.body.detail).toContain('You have 2 event streams open');
    expect(refused.headers['retry-after']).toBeDefined();
    expect(isReady(await open(bob))).toBe(true);
  });

  it('answers 503 problem+json when the server holds as many streams as it may', async () => {
    const full = createTestContext({ events: { maxStreams: 1 } });
    try {
      const [first, second] = [await full.signUp(), await full.signUp()];
      const reader = await openEvents(await full.listen(), { token: first.token });
      readers.push(reader);
      const refused = await request(full.app).get('/api/events').set(bearer(second));
      expect(refused.status).toBe(503);
      expect(refused.type).toBe('application/problem+json');
      expect(refused.headers['retry-after']).toBe('5');
    } finally {
      for (const reader of readers.splice(0)) reader.close();
      await full.close();
    }
  });

  it('gives a closed stream its place back', async () => {
    const first = await open(alice);
    await open(alice);
    first.close();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      const reader = await openEvents(base, { token: alice.token });
      readers.push(reader);
      status = reader.status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });

  it('sends heartbeat comments on an idle stream', async () => {
    const beating = createTestContext({ events: { heartbeatMs: 20 } });
    try {
      const user = await beating.signUp();
      const reader = await openEvents(await beating.listen(), { token: user.token });
      readers.push(reader);
      await reader.until(() => reader.comments() >= 3);
      expect(reader.events.map((event) => event.event)).toEqual(['ready']);
    } finally {
      for (const reader of readers.splice(0)) reader.close();
      await beating.close();
    }
  });

  it('ends the stream when its agent token is revoked', async () => {
    const minted = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(bearer(alice))
      .send({ name: 'dashboard', scopes: ['todos:read'], audience: 'api' });
    expect(minted.status).toBe(201);
    const reader = await open({ ...alice, token: minted.body.token });
    expect(isReady(reader)).toBe(true);
    await request(ctx.app).delete(`/api/auth/tokens/${minted.body.id}`).set(bearer(alice)).expect(204);
    await reader.ended;
    const again = await openEvents(base, { token: minted.body.token });
    expect(again.status).toBe(401);
  });

  it('needs a token with todos:read, from the Authorization header only', async () => {
    expect((await openEvents(base)).status).toBe(401);
    const inQuery = await request(ctx.app).get(`/api/events?access_token=${alice.token}`);
    expect(inQuery.status).toBe(401);
    const writeOnly = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: alice.username, password: PASSWORD, scope: 'todos:write' });
    const refused = await request(ctx.app)
      .get('/api/events')
      .set('Authorization', `Bearer ${writeOnly.body.access_token}`);
    expect(refused.status).toBe(403);
    expect(refused.headers['www-authenticate']).toContain('insufficient_scope');
  });
});
