// security.md 1, 2, 6 and 9, plus malformed JSON and the trailing-slash mount: what /mcp
// refuses before any tool runs. Each refusal is checked against the database as well.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { ERAS, type Era } from './mcp-helpers.ts';
import {
  createTodoCall,
  initializeRequest,
  MODERN_VERSION,
  post,
  postWithHost,
  type RawCaller,
  type RawResponse,
  rawCaller,
} from './raw-mcp.ts';

const ALLOWED_ORIGIN = 'http://app.example';

/** A JSON-RPC error as /mcp answers it at the HTTP level: JSON, never HTML or a stack. */
function expectRpcError(res: RawResponse, status: number, code: number): void {
  expect(res.status).toBe(status);
  expect(res.headers.get('content-type')).toMatch(/^application\/json/);
  expect(res.text).not.toMatch(/<html|<pre|\bat \S+ \(/i);
  expect(res.message?.error?.code).toBe(code);
}

describe.each(ERAS)('the /mcp transport guards in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let raw: RawCaller;

  beforeEach(async () => {
    ctx = createTestContext({ corsOrigins: [ALLOWED_ORIGIN] });
    alice = await ctx.signUp();
    base = await ctx.listen();
    raw = await rawCaller(base, era, alice.token);
  });
  afterEach(() => ctx.close());

  it('refuses a request from a foreign Origin with 403 and runs no tool', async () => {
    const res = await raw.call(...createTodoCall(), { headers: { Origin: 'http://evil.example' } });
    expectRpcError(res, 403, -32000);
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a request with Origin: null with 403 and runs no tool', async () => {
    const res = await raw.call(...createTodoCall(), { headers: { Origin: 'null' } });
    expectRpcError(res, 403, -32000);
    expect(countTodos(ctx)).toBe(0);
  });

  it('serves a request from an allow-listed Origin', async () => {
    const res = await raw.call(...createTodoCall('From the web app'), {
      headers: { Origin: ALLOWED_ORIGIN },
    });
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({ title: 'From the web app' });
    expect(countTodos(ctx)).toBe(1);
  });

  it('serves a request without an Origin header', async () => {
    const res = await raw.call(...createTodoCall('From an agent'));
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({ title: 'From an agent' });
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses a foreign Host header with 403 and runs no tool (DNS rebinding)', async () => {
    const { body, headers } = raw.request(...createTodoCall());
    const res = await postWithHost(base, 'attacker.example', body, {
      ...headers,
      authorization: `Bearer ${alice.token}`,
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 } });
    expect(countTodos(ctx)).toBe(0);
  });

  it('serves the same request with a loopback Host header', async () => {
    const { body, headers } = raw.request(...createTodoCall('Via localhost'));
    const res = await postWithHost(base, `localhost:${new URL(base).port}`, body, {
      ...headers,
      authorization: `Bearer ${alice.token}`,
    });
    expect(res.status).toBe(200);
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses an unsupported MCP-Protocol-Version with 400 and runs no tool', async () => {
    const unsupported = era === 'modern' ? '2099-01-01' : '1999-01-01';
    const { body } = raw.request(...createTodoCall());
    // The modern era also names its version in the body's _meta envelope; both must agree.
    const res = await raw.send(JSON.stringify(body).replaceAll(MODERN_VERSION, unsupported), {
      headers: { 'MCP-Protocol-Version': unsupported },
    });
    expect(res.status).toBe(400);
    expect(res.message?.error?.message).toMatch(/unsupported protocol version/i);
    expect(countTodos(ctx)).toBe(0);
  });

  it('answers a body over 100 kB with 413 as a JSON-RPC error', async () => {
    const { body } = raw.request(...createTodoCall('x'.repeat(120_000)));
    const res = await raw.send(body);
    expectRpcError(res, 413, -32600);
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a JSON-RPC batch (array) with 400', async () => {
    const { body } = raw.request(...createTodoCall());
    const res = await raw.send([body]);
    expectRpcError(res, 400, -32600);
    expect(countTodos(ctx)).toBe(0);
  });

  it('answers malformed JSON with 400 and a JSON-RPC parse error (-32700), not HTML', async () => {
    const res = await raw.send('{"jsonrpc": "2.0", "id": 1, "method": "tools/call", ');
    expectRpcError(res, 400, -32700);
  });

  it('refuses arguments nested 10,000 levels deep as invalid params, not a 500, and runs no tool', async () => {
    // Spelled out as text: JSON.stringify itself would overflow the stack at this depth.
    const { body, headers } = raw.request('tools/call', {
      name: 'create_todo',
      arguments: { title: 'deep', description: 'DEEP' },
    });
    const deep = `${'['.repeat(10_000)}"bottom"${']'.repeat(10_000)}`;
    const res = await raw.send(JSON.stringify(body).replace('"DEEP"', deep), { headers });
    expect(res.status).toBe(200);
    expect(res.message?.error?.code).toBe(-32602);
    expect(res.message?.error?.message).toContain('nested deeper than 64 levels');
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses a __proto__ key in tool arguments instead of silently dropping it', async () => {
    const args = JSON.parse('{"title": "with a prototype key", "__proto__": {"priority": 5}}');
    const res = await raw.call('tools/call', { name: 'create_todo', arguments: args });
    expect(res.message?.error?.code).toBe(-32602);
    expect(countTodos(ctx)).toBe(0);
  });

  it('serves /mcp/ (trailing slash) with the same handler, without a redirect', async () => {
    if (era === 'legacy') {
      const opened = await post(base, initializeRequest(), { token: alice.token, path: '/mcp/' });
      expect(opened.status).toBe(200);
      expect(opened.headers.get('mcp-session-id')).toMatch(/^[0-9a-f-]{36}$/);
    }
    const res = await raw.call(...createTodoCall('Trailing slash'), { path: '/mcp/' });
    expect(res.status).toBe(200);
    expect(res.headers.get('location')).toBeNull();
    expect(res.message?.result?.structuredContent).toMatchObject({ title: 'Trailing slash' });
    expect(countTodos(ctx)).toBe(1);
  });
});

// What /mcp decides from headers before the SDK reads a request: the era of a request that
// carries a session id (src/mcp/mcp-router.ts) and the one tool a modern tools/call needs
// (src/mcp/server-factory.ts). A wrong decision must never run a tool the body did not ask for.
describe('routing decisions taken from request headers', () => {
  let ctx: TestContext;

  async function callerIn(era: Era): Promise<RawCaller> {
    ctx = createTestContext();
    const alice = await ctx.signUp();
    return rawCaller(await ctx.listen(), era, alice.token);
  }
  afterEach(() => ctx.close());

  it('leaves a request on a session that names the 2026-07-28 version without its envelope to the modern era (-32602), and runs no tool', async () => {
    const raw = await callerIn('legacy');
    const res = await raw.call(...createTodoCall(), { headers: { 'MCP-Protocol-Version': MODERN_VERSION } });
    expectRpcError(res, 400, -32602);
    expect(res.message?.error?.message).toMatch(/envelope/);
    expect(countTodos(ctx)).toBe(0);
  });

  it('serves a request on a session that names a 2025-era version', async () => {
    const raw = await callerIn('legacy');
    const res = await raw.call(...createTodoCall('On the session'));
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({ title: 'On the session' });
    expect(countTodos(ctx)).toBe(1);
  });

  it('refuses a modern tools/call whose Mcp-Name names another tool than its body, and runs neither', async () => {
    const raw = await callerIn('modern');
    const res = await raw.call(...createTodoCall(), { headers: { 'Mcp-Name': 'get_all_todos' } });
    // The SDK's check before dispatch, which building only the named tool relies on.
    expectRpcError(res, 400, -32020);
    expect(countTodos(ctx)).toBe(0);
  });
});
