// The request log as a person reads it: one line per request whose message reads like the
// request (`GET /api/todos 200 3.1ms`), the problem type of a failure (never the body), the
// JSON-RPC method and the tool, prompt or resource of an /mcp call, and a stream its client
// closed logged as a stream, not as an aborted request.
import { setTimeout as sleep } from 'node:timers/promises';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bearer, by, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { connect } from '../mcp/mcp-helpers.ts';
import { LEGACY_VERSION, rawCaller } from '../mcp/raw-mcp.ts';

type Line = Record<string, unknown>;

describe('request log lines', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  const requestLines = (): Line[] => ctx.logs().filter((line) => 'status' in line && 'method' in line);
  /** The first request line that matches, once it is written (streams close asynchronously). */
  async function lineWhere(matches: (line: Line) => boolean): Promise<Line> {
    for (let attempt = 0; attempt < 100; attempt++) {
      const line = requestLines().find(matches);
      if (line) return line;
      await sleep(20);
    }
    throw new Error('no such log line was written');
  }
  /** The line of the request sent with this X-Request-Id. */
  const lineOf = (reqId: string) => lineWhere((line) => line.reqId === reqId);

  it('reads like the request: method, path, status and time', async () => {
    await request(ctx.app).get('/api/todos').set(bearer(alice)).set('X-Request-Id', 'list-1').expect(200);
    const line = await lineOf('list-1');
    expect(line).toMatchObject({ level: 30, method: 'GET', path: '/api/todos', status: 200 });
    expect(line.msg).toMatch(/^GET \/api\/todos 200 \d+\.\dms$/);
  });

  it('names the problem type of a failed request, and never logs its body', async () => {
    await request(ctx.app)
      .post('/api/todos')
      .set(bearer(alice))
      .set('X-Request-Id', 'bad-1')
      .send({ title: 'a distinctive title', priority: 99 })
      .expect(400);
    expect(await lineOf('bad-1')).toMatchObject({
      status: 400,
      problem: 'urn:todos:problem:validation-failed',
      msg: expect.stringMatching(/^POST \/api\/todos 400 /),
    });
    await request(ctx.app).get('/api/todos').set('X-Request-Id', 'anonymous-1').expect(401);
    expect(await lineOf('anonymous-1')).toMatchObject({ problem: 'urn:todos:problem:unauthorized' });
    expect(ctx.rawLogs()).not.toContain('a distinctive title');
  });

  it('carries the JSON-RPC method and the tool, prompt or resource on /mcp lines', async () => {
    const base = await ctx.listen();
    const caller = await rawCaller(base, 'modern', alice.token);
    const traced = (id: string) => ({ headers: { 'X-Request-Id': id } });
    await caller.call(
      'tools/call',
      { name: 'create_todo', arguments: { title: 'secret plans' } },
      traced('tool-1'),
    );
    const { id } = await ctx.services.todos.create(by(alice), { title: 'read as a resource' });
    await caller.call('resources/read', { uri: `todo://${id}` }, traced('resource-1'));
    await caller.call('prompts/get', { name: 'plan_my_day', arguments: {} }, traced('prompt-1'));
    await caller.call('tools/list', {}, { ...traced('refused-1'), token: 'not-a-token' });

    expect(await lineOf('tool-1')).toMatchObject({
      path: '/mcp',
      status: 200,
      rpc: 'tools/call',
      tool: 'create_todo',
    });
    expect(await lineOf('resource-1')).toMatchObject({ rpc: 'resources/read', resource: `todo://${id}` });
    expect(await lineOf('prompt-1')).toMatchObject({ rpc: 'prompts/get', prompt: 'plan_my_day' });
    expect(await lineOf('refused-1')).toMatchObject({
      status: 401,
      rpc: 'tools/list',
      oauthError: 'invalid_token',
    });
    expect(ctx.rawLogs()).not.toContain('secret plans');
  });

  it('logs a 2025-era GET stream its client closed as a stream, not as an aborted request', async () => {
    const base = await ctx.listen();
    const caller = await rawCaller(base, 'legacy', alice.token);
    const stream = await fetch(`${base}/mcp`, {
      headers: {
        Accept: 'text/event-stream',
        Authorization: `Bearer ${alice.token}`,
        'Mcp-Session-Id': caller.sessionId ?? '',
        'MCP-Protocol-Version': LEGACY_VERSION,
        'X-Request-Id': 'get-stream-1',
      },
    });
    expect(stream.status).toBe(200);
    await stream.body?.cancel();
    const line = await lineOf('get-stream-1');
    expect(line).toMatchObject({ level: 30, method: 'GET', path: '/mcp', status: 200, stream: true });
    expect(line.aborted).toBeUndefined();
    expect(line.msg).not.toMatch(/aborted/);
  });

  it('logs a 2026-07-28 listen stream its client closed as a stream, not as an aborted request', async () => {
    const base = await ctx.listen();
    const mcp = await connect(base, alice, 'modern');
    const subscription = await mcp.client.listen({ toolsListChanged: true });
    await subscription.close();
    await mcp.client.close();
    const line = await lineWhere((candidate) => candidate.rpc === 'subscriptions/listen');
    expect(line).toMatchObject({ level: 30, status: 200, stream: true });
    expect(line.aborted).toBeUndefined();
  });
});
