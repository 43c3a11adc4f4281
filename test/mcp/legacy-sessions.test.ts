// security.md 7: 2025-era sessions are tied to their user, expire when idle, are capped and
// end on DELETE. And with sessions off, 2025-era clients are still served, statelessly.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { by, createTestContext, type McpOverrides, type TestContext, type TestUser } from '../helpers.ts';
import { type Connected, connect, textOf } from './mcp-helpers.ts';
import { initializeRequest, LEGACY_VERSION, openGetStream, post } from './raw-mcp.ts';

const listTodos = {
  jsonrpc: '2.0',
  id: 7,
  method: 'tools/call',
  params: { name: 'get_all_todos', arguments: {} },
};

describe('2025-era MCP sessions', () => {
  let ctx: TestContext;
  let base: string;
  const clients: Connected[] = [];

  async function start(mcp: McpOverrides = {}): Promise<TestUser> {
    ctx = createTestContext({ mcp });
    base = await ctx.listen();
    return ctx.signUp();
  }
  async function open(user: TestUser): Promise<Connected & { sessionId: string }> {
    const connected = await connect(base, user, 'legacy');
    clients.push(connected);
    const { sessionId } = connected.transport;
    if (!sessionId) throw new Error('no session was opened');
    return { ...connected, sessionId };
  }
  /** A tools/call on a session, as a raw POST with the given user's token. */
  const onSession = (sessionId: string, user: TestUser) =>
    post(base, listTodos, {
      token: user.token,
      headers: { 'Mcp-Session-Id': sessionId, 'MCP-Protocol-Version': LEGACY_VERSION },
    });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((connected) => connected.client.close()));
    await ctx.close();
  });

  it('answers an unknown session id with 404', async () => {
    const alice = await start();
    const res = await onSession(randomUUID(), alice);
    expect(res.status).toBe(404);
    expect(res.message?.error).toMatchObject({ code: -32001, message: 'Session not found' });
  });

  it('answers a request without a session with 400 that says to initialize first, or to use 2026-07-28', async () => {
    const alice = await start();
    for (const headers of [{}, { 'MCP-Protocol-Version': LEGACY_VERSION }]) {
      const res = await post(base, listTodos, { token: alice.token, headers });
      expect(res.status).toBe(400);
      expect(res.message?.error?.message).toBe(
        'Bad Request: Mcp-Session-Id header required. Send initialize first: its answer carries the ' +
          'Mcp-Session-Id to send with every later request. Or speak the 2026-07-28 protocol ' +
          '(MCP-Protocol-Version: 2026-07-28), which needs no session.',
      );
    }
  });

  it("answers 404 when user B uses user A's session, and shows none of A's data", async () => {
    const alice = await start();
    const bob = await ctx.signUp();
    const secret = await ctx.services.todos.create(by(alice), { title: 'Alice private plans' });
    const { sessionId } = await open(alice);
    const res = await onSession(sessionId, bob);
    expect(res.status).toBe(404);
    expect(res.text).toBe((await onSession(randomUUID(), bob)).text);
    expect(res.text).not.toContain(secret.id);
    expect(res.text).not.toContain(secret.title);
  });

  it("keeps A's session working for A after B was refused on it", async () => {
    const alice = await start();
    const bob = await ctx.signUp();
    await ctx.services.todos.create(by(alice), { title: 'Still mine' });
    const { sessionId } = await open(alice);
    expect((await onSession(sessionId, bob)).status).toBe(404);
    const res = await onSession(sessionId, alice);
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({
      count: 1,
      todos: [{ title: 'Still mine' }],
    });
  });

  it("refuses B's DELETE of A's session with 404 and keeps the session open", async () => {
    const alice = await start();
    const bob = await ctx.signUp();
    const { sessionId } = await open(alice);
    const res = await fetch(`${base}/mcp`, {
      method: 'DELETE',
      headers: {
        Authorization: `Bearer ${bob.token}`,
        'Mcp-Session-Id': sessionId,
        'MCP-Protocol-Version': LEGACY_VERSION,
      },
    });
    expect(res.status).toBe(404);
    expect(ctx.mcp.sessions?.size).toBe(1);
    expect((await onSession(sessionId, alice)).status).toBe(200);
  });

  it("refuses B's GET stream on A's session with 404", async () => {
    const alice = await start();
    const bob = await ctx.signUp();
    const { sessionId } = await open(alice);
    const res = await openGetStream(base, bob.token, sessionId);
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: { code: -32001 } });
  });

  it('closes a session idle for longer than the TTL; its id then gets 404', async () => {
    const alice = await start({ sessionIdleTtlMs: 50 });
    const { sessionId } = await open(alice);
    expect(ctx.mcp.sessions?.size).toBe(1);
    await sleep(120);
    await ctx.mcp.sessions?.evictIdle();
    expect(ctx.mcp.sessions?.size).toBe(0);
    expect((await onSession(sessionId, alice)).status).toBe(404);
  });

  it('evicts the least recently used idle session to open one beyond the cap', async () => {
    const alice = await start({ maxSessions: 2 });
    const first = await open(alice);
    const second = await open(alice);
    await sleep(5);
    // Using the first session makes the second one the least recently used.
    expect((await onSession(first.sessionId, alice)).status).toBe(200);
    await sleep(5);
    const third = await open(alice);
    expect(ctx.mcp.sessions?.size).toBe(2);
    expect((await onSession(second.sessionId, alice)).status).toBe(404);
    expect((await onSession(first.sessionId, alice)).status).toBe(200);
    expect((await onSession(third.sessionId, alice)).status).toBe(200);
  });

  it("makes room at one user's cap from that user's own sessions, never another user's", async () => {
    const alice = await start({ maxSessionsPerUser: 2 });
    const bob = await ctx.signUp();
    const bobs = await open(bob);
    const firstOfAlice = await open(alice);
    await sleep(5);
    await open(alice);
    await sleep(5);
    await open(alice); // alice's third: her least recently used session makes room
    expect(ctx.mcp.sessions?.size).toBe(3);
    expect((await onSession(firstOfAlice.sessionId, alice)).status).toBe(404);
    expect((await onSession(bobs.sessionId, bob)).status).toBe(200);
  });

  it('ends a session on DELETE; its id then gets 404', async () => {
    const alice = await start();
    const { transport, sessionId } = await open(alice);
    expect(ctx.mcp.sessions?.size).toBe(1);
    await transport.terminateSession();
    expect(ctx.mcp.sessions?.size).toBe(0);
    expect((await onSession(sessionId, alice)).status).toBe(404);
  });

  it('refuses to open a session for a request from a foreign Origin', async () => {
    const alice = await start();
    const res = await post(base, initializeRequest(), {
      token: alice.token,
      headers: { Origin: 'http://evil.example' },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get('mcp-session-id')).toBeNull();
    expect(ctx.mcp.sessions?.size).toBe(0);
  });
});

describe('2025-era clients with sessions turned off', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let mcp: Connected;

  afterEach(async () => {
    await mcp.client.close();
    await ctx.close();
  });

  async function start(): Promise<void> {
    ctx = createTestContext({ mcp: { legacySessions: false } });
    alice = await ctx.signUp();
    // The client declares elicitation, but a stateless connection cannot carry it.
    mcp = await connect(await ctx.listen(), alice, 'legacy');
  }

  it('are served statelessly, without a session id', async () => {
    await start();
    expect(mcp.client.getProtocolEra()).toBe('legacy');
    expect(mcp.transport.sessionId).toBeUndefined();
    expect(ctx.mcp.sessions).toBeUndefined();
  });

  it('can still call tools', async () => {
    await start();
    const created = await mcp.client.callTool({ name: 'create_todo', arguments: { title: 'Stateless' } });
    expect(created.isError).toBeFalsy();
    const { id } = created.structuredContent as { id: string };
    const fetched = await mcp.client.callTool({ name: 'get_todo_by_id', arguments: { id } });
    expect(fetched.structuredContent).toMatchObject({ id, title: 'Stateless' });
  });

  it('delete without a confirmation, leaving it to the client (destructiveHint)', async () => {
    await start();
    const todo = await ctx.services.todos.create(by(alice), { title: 'Delete me' });
    const result = await mcp.client.callTool({ name: 'delete_todo', arguments: { id: todo.id } });
    expect(result.isError).toBeFalsy();
    expect(result.structuredContent).toEqual({ deleted: true, id: todo.id });
    expect(textOf(result)).toContain('Deleted');
    await expect(ctx.services.todos.get(alice.id, todo.id)).rejects.toMatchObject({ code: 'not_found' });
  });
});
