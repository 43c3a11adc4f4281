// Change notifications through the real SDK client, in both eras: a 2026-07-28 listen stream
// and a 2025-era session's GET stream hear resources/updated for the user's own todos when
// they change over REST, and resources/list_changed; another user's changes never reach them,
// and another user's todo cannot be watched: it is refused exactly like a missing one.
import { randomUUID } from 'node:crypto';
import { InsufficientScopeError, ProtocolError } from '@modelcontextprotocol/client';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, createTestContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, type Era } from './mcp-helpers.ts';

type Heard = { kind: 'updated'; uri: string } | { kind: 'list_changed' };
type Subscription = Awaited<ReturnType<Connected['client']['listen']>>;

const DEADLINE_MS = 5_000;

/** Every resource notification the client hears, in order. */
function hear(mcp: Connected): Heard[] {
  const heard: Heard[] = [];
  mcp.client.setNotificationHandler('notifications/resources/updated', (notification) => {
    heard.push({ kind: 'updated', uri: notification.params.uri });
  });
  mcp.client.setNotificationHandler('notifications/resources/list_changed', () => {
    heard.push({ kind: 'list_changed' });
  });
  return heard;
}

async function until(heard: Heard[], done: (heard: Heard[]) => boolean): Promise<void> {
  const deadline = Date.now() + DEADLINE_MS;
  while (!done(heard)) {
    if (Date.now() > deadline) throw new Error(`not heard in time; heard ${JSON.stringify(heard)}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
const heardUpdate = (uri: string) => (heard: Heard[]) =>
  heard.some((each) => each.kind === 'updated' && each.uri === uri);

/** An error as a client sees it, with the URI's todo id masked so two refusals can be compared. */
const masked = (error: unknown, id: string) => {
  const { code, message, data } = error as { code?: unknown; message: string; data?: unknown };
  return {
    code,
    message: message.replaceAll(id, '<id>'),
    data: JSON.stringify(data ?? null).replaceAll(id, '<id>'),
  };
};

describe.each<[string, Era]>([
  ['a 2026-07-28 listen stream', 'modern'],
  ['a 2025-era session', 'legacy'],
])('change notifications on %s', (_name, era) => {
  let ctx: TestContext;
  let base: string;
  let alice: TestUser;
  let bob: TestUser;
  const clients: Connected[] = [];
  const subscriptions: Subscription[] = [];

  beforeEach(async () => {
    ctx = createTestContext();
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    base = await ctx.listen();
  });
  afterEach(async () => {
    await Promise.all(subscriptions.splice(0).map((subscription) => subscription.close()));
    await Promise.all(clients.splice(0).map((each) => each.client.close()));
    await ctx.close();
  });

  const open = async (user: TestUser) => {
    const mcp = await connect(base, user, era);
    clients.push(mcp);
    return mcp;
  };
  /** Watches the URIs (and the resource list) the way the era does. */
  const watch = async (mcp: Connected, uris: string[]) => {
    if (era === 'modern') {
      subscriptions.push(
        await mcp.client.listen({ resourcesListChanged: true, resourceSubscriptions: uris }),
      );
    } else {
      for (const uri of uris) await mcp.client.subscribeResource({ uri });
    }
  };
  const refusalOf = (mcp: Connected, uri: string) =>
    watch(mcp, [uri]).then(
      () => 'watching',
      (error: unknown) => error,
    );
  const createTodo = async (user: TestUser, title: string) =>
    (await request(ctx.app).post('/api/todos').set(bearer(user)).send({ title })).body.id as string;
  const patch = (user: TestUser, id: string, body: object) =>
    request(ctx.app).patch(`/api/todos/${id}`).set(bearer(user)).send(body).expect(200);

  it("hears resources/updated for the user's own todo changed over REST, and list_changed", async () => {
    const id = await createTodo(alice, 'Water the plants');
    const mcp = await open(alice);
    const heard = hear(mcp);
    await watch(mcp, [`todo://${id}`]);
    await patch(alice, id, { completed: true });
    await until(heard, heardUpdate(`todo://${id}`));
    await until(heard, (all) => all.some((each) => each.kind === 'list_changed'));
    // Reading it gives the new state.
    const read = await mcp.client.readResource({ uri: `todo://${id}` });
    expect(JSON.parse((read.contents[0] as { text: string }).text)).toMatchObject({ completed: true });
  });

  it('hears todo://activity updated on any change of the user', async () => {
    const mcp = await open(alice);
    const heard = hear(mcp);
    await watch(mcp, ['todo://activity']);
    await createTodo(alice, 'Something new');
    await until(heard, heardUpdate('todo://activity'));
  });

  it("hears nothing of another user's changes", async () => {
    const aliceTodo = await createTodo(alice, "Alice's");
    const bobTodo = await createTodo(bob, "Bob's");
    const mcp = await open(bob);
    const heard = hear(mcp);
    await watch(mcp, [`todo://${bobTodo}`, 'todo://activity']);
    await patch(alice, aliceTodo, { title: 'changed by Alice' });
    await createTodo(alice, 'another of Alice');
    await request(ctx.app).delete(`/api/todos/${aliceTodo}`).set(bearer(alice)).expect(204);
    // Bob's own change, after Alice's: once he hears it, he would have heard hers.
    await patch(bob, bobTodo, { priority: 5 });
    await until(heard, (all) => all.filter((each) => each.kind === 'list_changed').length >= 1);
    await until(heard, heardUpdate(`todo://${bobTodo}`));
    expect(heard.filter((each) => each.kind === 'list_changed')).toHaveLength(1);
    expect(
      heard
        .filter((each) => each.kind === 'updated')
        .map((each) => each.kind === 'updated' && each.uri)
        .sort(),
    ).toEqual(['todo://activity', `todo://${bobTodo}`].sort());
  });

  it("refuses to watch another user's todo exactly like a missing one", async () => {
    const aliceTodo = await createTodo(alice, 'Private');
    const mcp = await open(bob);
    const heard = hear(mcp);
    const missing = randomUUID();
    const foreign = await refusalOf(mcp, `todo://${aliceTodo}`);
    const absent = await refusalOf(mcp, `todo://${missing}`);
    expect(foreign).toBeInstanceOf(ProtocolError);
    expect(masked(foreign, aliceTodo)).toEqual(masked(absent, missing));
    expect((foreign as ProtocolError).message).toContain('Resource not found');
    // And Alice's changes to it reach Bob by no other path.
    await patch(alice, aliceTodo, { completed: true });
    const own = await createTodo(bob, 'sentinel');
    await watch(mcp, [`todo://${own}`]);
    await patch(bob, own, { completed: true });
    await until(heard, heardUpdate(`todo://${own}`));
    expect(heard.some((each) => each.kind === 'updated' && each.uri.includes(aliceTodo))).toBe(false);
  });

  it('needs todos:read to watch todos', async () => {
    const id = await createTodo(alice, 'Watched');
    const writeOnly = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: alice.username, password: PASSWORD, scope: 'todos:write' });
    const mcp = await connect(base, { token: writeOnly.body.access_token }, era);
    clients.push(mcp);
    await expect(watch(mcp, [`todo://${id}`])).rejects.toBeInstanceOf(InsufficientScopeError);
  });
});

describe('2025-era resources/unsubscribe', () => {
  it('stops resources/updated for that URI and leaves the others', async () => {
    const ctx = createTestContext();
    try {
      const alice = await ctx.signUp();
      const base = await ctx.listen();
      const create = async (title: string) =>
        (await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title })).body.id as string;
      const [dropped, kept] = [await create('dropped'), await create('kept')];
      const mcp = await connect(base, alice, 'legacy');
      try {
        const heard = hear(mcp);
        await mcp.client.subscribeResource({ uri: `todo://${dropped}` });
        await mcp.client.subscribeResource({ uri: `todo://${kept}` });
        await mcp.client.unsubscribeResource({ uri: `todo://${dropped}` });
        await request(ctx.app).patch(`/api/todos/${dropped}`).set(bearer(alice)).send({ priority: 1 });
        await request(ctx.app).patch(`/api/todos/${kept}`).set(bearer(alice)).send({ priority: 1 });
        await until(heard, heardUpdate(`todo://${kept}`));
        expect(heard.filter((each) => each.kind === 'updated')).toEqual([
          { kind: 'updated', uri: `todo://${kept}` },
        ]);
      } finally {
        await mcp.client.close();
      }
    } finally {
      await ctx.close();
    }
  });
});
