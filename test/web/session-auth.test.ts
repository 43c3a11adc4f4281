// The web app's session cookie on /api, over real HTTP: reads with the cookie alone, writes
// only with the session's request token from our own page (never from another site), changes
// attributed to the web, bearer clients unchanged, /mcp deaf to cookies, and event streams
// that end with their session.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, countTodos, createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { createTodoCall, initializeRequest, post, rawCaller } from '../mcp/raw-mcp.ts';
import { type EventReader, openEvents } from '../sse-client.ts';
import { signInOnWeb, signOutOnWeb, type WebSession, webApi } from './web-helpers.ts';

const CROSS_SITE = 'urn:todos:problem:cross-site-request';

describe('the web session cookie on /api', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let bob: TestUser;
  let web: WebSession;
  let clock: number;
  const readers: EventReader[] = [];

  beforeEach(async () => {
    clock = Date.now();
    ctx = await createListeningContext({ now: () => clock });
    [alice, bob] = await Promise.all([ctx.signUp(), ctx.signUp()]);
    web = await signInOnWeb(ctx.base, alice.username);
  });
  afterEach(async () => {
    for (const reader of readers.splice(0)) reader.close();
    await ctx.close();
  });

  const create = (session: WebSession, title: string, headers?: Record<string, string | undefined>) =>
    webApi(session, 'POST', '/todos', { body: { title }, ...(headers ? { headers } : {}) });

  /** A stream opened the way the page opens it: the session cookie and nothing else. */
  const openWebEvents = async (session: WebSession) => {
    const reader = await openEvents(ctx.base, { headers: { cookie: session.browser.cookieHeader() } });
    readers.push(reader);
    await reader.until((events) => events.some((event) => event.event === 'ready'));
    return reader;
  };

  it('reads, creates, changes and deletes with the cookie and request token, each change attributed to the web', async () => {
    const created = await create(web, 'From the web app');
    expect(created.status).toBe(201);
    const todo = (await created.json()) as { id: string; version: number };
    const changed = await webApi(web, 'PATCH', `/todos/${todo.id}`, {
      body: { completed: true },
      headers: { 'if-match': '"1"' },
    });
    expect(changed.status).toBe(200);
    const listed = await webApi(web, 'GET', '/todos');
    expect(listed.status).toBe(200);
    expect(((await listed.json()) as { items: unknown[] }).items).toHaveLength(1);
    expect(
      (await webApi(web, 'DELETE', `/todos/${todo.id}`, { headers: { 'if-match': '"2"' } })).status,
    ).toBe(204);

    const activity = (await (await webApi(web, 'GET', '/activity')).json()) as {
      items: { action: string; via: string; client: unknown }[];
    };
    expect(activity.items.map(({ action, via, client }) => ({ action, via, client }))).toEqual([
      { action: 'deleted', via: 'web', client: null },
      { action: 'completed', via: 'web', client: null },
      { action: 'created', via: 'web', client: null },
    ]);
  });

  it('refuses a write without the request token, with a forged one or another session’s, and writes nothing', async () => {
    const bobsWeb = await signInOnWeb(ctx.base, bob.username);
    for (const token of [undefined, '', 'forged-token', bobsWeb.requestToken, `${web.requestToken}x`]) {
      const res = await create(web, 'Forged', { 'x-csrf-token': token });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { type: string }).type).toBe(CROSS_SITE);
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a write from another site: a foreign or missing Origin, or Sec-Fetch-Site other than same-origin', async () => {
    const refusals: Record<string, string | undefined>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: undefined },
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' },
    ];
    for (const headers of refusals) {
      const res = await create(web, 'Cross-site', headers);
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    const { id } = (await (await create(web, 'Mine')).json()) as { id: string };
    for (const [method, body] of [
      ['PATCH', { completed: true }],
      ['PUT', { title: 'Replaced' }],
      ['DELETE', undefined],
    ] as const) {
      const res = await webApi(web, method, `/todos/${id}`, {
        ...(body === undefined ? {} : { body }),
        headers: { origin: 'http://evil.example' },
      });
      expect(res.status, method).toBe(403);
    }
    const minted = await webApi(web, 'POST', '/auth/tokens', {
      body: { name: 'Forged agent', scopes: ['todos:read'] },
      headers: { 'x-csrf-token': undefined },
    });
    expect(minted.status).toBe(403);
    const stored = await ctx.services.todos.get(alice.id, id);
    expect(stored).toMatchObject({ title: 'Mine', completed: false, version: 1 });
    expect(ctx.db.prepare('SELECT count(*) FROM agent_tokens').pluck().get()).toBe(0);
  });

  it('lets the signed-in person manage agent tokens and see connected apps through the cookie', async () => {
    const minted = await webApi(web, 'POST', '/auth/tokens', {
      body: { name: 'VS Code', scopes: ['todos:read', 'todos:write'], audience: 'mcp' },
    });
    expect(minted.status).toBe(201);
    const { id } = (await minted.json()) as { id: string };
    expect((await webApi(web, 'GET', '/auth/grants')).status).toBe(200);
    expect((await webApi(web, 'DELETE', `/auth/tokens/${id}`)).status).toBe(204);
  });

  it('judges a request with an Authorization header by that header alone', async () => {
    // A bearer client needs no request token, cookie or not, and its writes are the API's.
    const withBoth = await web.browser.request(`${ctx.base}/api/todos`, {
      method: 'POST',
      headers: { ...bearer(alice), 'content-type': 'application/json' },
      body: JSON.stringify({ title: 'Through the API' }),
    });
    expect(withBoth.status).toBe(201);
    const [entry] = (await ctx.services.activity.list(alice.id, { limit: 1 })).items;
    expect(entry?.via).toBe('api');
    // A broken Authorization header is not rescued by the cookie beside it.
    const broken = await web.browser.request(`${ctx.base}/api/todos`, {
      headers: { authorization: 'Bearer not-a-token' },
    });
    expect(broken.status).toBe(401);
  });

  it('never accepts the cookie on /mcp, in either era', async () => {
    const cookie = { cookie: web.browser.cookieHeader(), 'x-csrf-token': web.requestToken, origin: ctx.base };
    const modern = await rawCaller(ctx.base, 'modern', alice.token);
    const call = await modern.call(...createTodoCall('Through MCP with a cookie'), {
      token: null,
      headers: cookie,
    });
    const initialize = await post(ctx.base, initializeRequest(), { token: null, headers: cookie });
    for (const res of [call, initialize]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer /);
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('answers 401 once the session is signed out, asking to sign in again', async () => {
    const cookieBefore = web.browser.cookieHeader();
    expect((await signOutOnWeb(web)).status).toBe(303);
    const res = await fetch(`${ctx.base}/api/todos`, { headers: { cookie: cookieBefore } });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { detail: string }).detail).toBe('Your session has ended: sign in again.');
  });

  it('streams events to the cookie alone, and sign-out ends the session’s streams at once, not another session’s', async () => {
    const other = await signInOnWeb(ctx.base, alice.username);
    const [mine, theirs] = [await openWebEvents(web), await openWebEvents(other)];
    await create(other, 'Seen by both');
    for (const reader of [mine, theirs])
      await reader.until((events) => events.some((event) => event.event === 'change'));
    expect((await signOutOnWeb(web)).status).toBe(303);
    await mine.ended;
    await create(other, 'After the sign-out');
    await theirs.until((events) => events.filter((event) => event.event === 'change').length === 2);
  });

  it('ends a cookie stream on the heartbeat check once its session has expired', async () => {
    const reader = await openWebEvents(web);
    await ctx.connections.recheck();
    await create(web, 'While the session lasts');
    await reader.until((events) => events.some((event) => event.event === 'change'));
    clock += 13 * 3600_000; // sessions last 12 hours
    await ctx.connections.recheck();
    await reader.ended;
  });
});
