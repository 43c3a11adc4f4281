// security.md 30: after an end-to-end run over REST and MCP (both eras), the logs hold one
// line per request with its id, and no password, token or Authorization value.
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers.ts';
import { ERAS, type Era } from '../mcp/mcp-helpers.ts';

const PASSWORD = 'a distinctive passphrase 4711';
const WRONG_PASSWORD = 'a wrong but secret guess 0815';

interface Sent {
  id: string;
  method: string;
  path: string;
}

describe('request logs after an end-to-end run', () => {
  let ctx: TestContext;
  let base: string;
  let sent: Sent[];

  beforeEach(async () => {
    ctx = createTestContext();
    base = await ctx.listen();
    sent = [];
  });
  afterEach(() => ctx.close());

  /** fetch that gives every request its own X-Request-Id and remembers it. */
  const traced = (url: string | URL, init: RequestInit = {}): Promise<Response> => {
    const id = `e2e-${sent.length + 1}`;
    const target = new URL(url, base);
    sent.push({ id, method: init.method ?? 'GET', path: target.pathname });
    const headers = new Headers(init.headers);
    headers.set('x-request-id', id);
    return fetch(target, { ...init, headers });
  };
  const json = (method: string, path: string, body: unknown, token?: string) =>
    traced(path, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify(body),
    });

  async function mcpRun(era: Era, token: string): Promise<void> {
    const client = new Client(
      { name: 'logs-test', version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: 'auto' } } : {},
    );
    const transport = new StreamableHTTPClientTransport(new URL(`${base}/mcp`), {
      authProvider: { token: async () => token },
      fetch: traced,
    });
    await client.connect(transport);
    await client.listTools();
    const created = await client.callTool({ name: 'create_todo', arguments: { title: `via ${era}` } });
    const { id } = created.structuredContent as { id: string };
    await client.callTool({ name: 'get_todo_by_id', arguments: { id } });
    await client.callTool({ name: 'update_todo', arguments: { id, completed: true, expectedVersion: 1 } });
    await client.callTool({ name: 'update_todo', arguments: { id, title: 'stale', expectedVersion: 1 } });
    await client.callTool({ name: 'delete_todo', arguments: { id } });
    // A 2025-era client ends its session (DELETE), which also ends its GET stream.
    if (era === 'legacy') await transport.terminateSession();
    await client.close();
  }

  it('holds one line per request, each with its request id, and no password, token or Authorization', async () => {
    const username = 'log_reader';
    expect((await json('POST', '/api/auth/register', { username, password: PASSWORD })).status).toBe(201);
    const issued = await json('POST', '/api/auth/token', { username, password: PASSWORD });
    const { access_token: token } = (await issued.json()) as { access_token: string };
    expect((await json('POST', '/api/auth/token', { username, password: WRONG_PASSWORD })).status).toBe(401);
    const form = await traced('/api/auth/token', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'password', username, password: PASSWORD }).toString(),
    });
    expect(form.status).toBe(200);
    expect((await traced('/api/auth/me', { headers: { authorization: `Bearer ${token}` } })).status).toBe(
      200,
    );

    const created = await json('POST', '/api/todos', { title: 'Logged' }, token);
    const { id } = (await created.json()) as { id: string };
    const auth = { authorization: `Bearer ${token}` };
    expect((await traced(`/api/todos/${id}`, { headers: auth })).status).toBe(200);
    expect((await traced('/api/todos?q=Logged', { headers: auth })).status).toBe(200);
    // A token misplaced in the query string is refused (unknown parameter) and must not be logged.
    expect((await traced(`/api/todos?access_token=${token}`, { headers: auth })).status).toBe(400);
    expect((await json('PATCH', `/api/todos/${id}`, { completed: true }, token)).status).toBe(200);
    expect((await json('PUT', `/api/todos/${id}`, { title: 'Replaced' }, token)).status).toBe(200);
    expect((await json('POST', '/api/todos', { title: '\ud800' }, token)).status).toBe(400);
    expect((await traced(`/api/todos/${id}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await traced('/api/todos', { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    expect((await traced('/api/nowhere')).status).toBe(404);
    for (const era of ERAS) await mcpRun(era, token);
    // Answers are logged when they finish; the last stream closes asynchronously.
    await new Promise((done) => setTimeout(done, 100));

    const requestLines = ctx.logs().filter((line) => 'status' in line && 'method' in line);
    for (const request of sent) {
      const lines = requestLines.filter((line) => line.reqId === request.id);
      expect(lines, `${request.method} ${request.path} (${request.id})`).toHaveLength(1);
      expect(lines[0]).toMatchObject({
        method: request.method,
        path: request.path,
        status: expect.any(Number),
      });
    }
    expect(requestLines.map((line) => line.reqId).sort()).toEqual(sent.map((request) => request.id).sort());
    expect(sent.filter((request) => request.path === '/mcp').length).toBeGreaterThan(10);

    const raw = ctx.rawLogs();
    for (const secret of [PASSWORD, WRONG_PASSWORD, token, token.split('.')[2] ?? token]) {
      expect(raw).not.toContain(secret);
    }
    expect(raw).not.toMatch(/bearer|authorization/i);
  });

  it('redacts a token put in the path by mistake, and never logs the query string', async () => {
    const username = 'path_token';
    expect((await json('POST', '/api/auth/register', { username, password: PASSWORD })).status).toBe(201);
    const issued = await json('POST', '/api/auth/token', { username, password: PASSWORD });
    const { access_token: token } = (await issued.json()) as { access_token: string };
    const auth = { authorization: `Bearer ${token}` };
    const [header = '', payload = '', signature = ''] = token.split('.');
    const mistakes: [path: string, logged: string][] = [
      [`/api/todos/${token}`, '/api/todos/[redacted]'],
      [`/api/todos/${token}?access_token=${token}`, '/api/todos/[redacted]'],
      [`/api/todos/Bearer%20${token}/more`, '/api/todos/[redacted]/more'],
      [`/mcp/${token}`, '/mcp/[redacted]'],
      // A token cut short still carries its JSON header; a JWT without the header prefix still has three parts.
      [`/api/${header}`, '/api/[redacted]'],
      [`/api/todos/x${payload}.${signature}.sig`, '/api/todos/[redacted]'],
    ];
    for (const [path] of mistakes) expect((await traced(path, { headers: auth })).status).toBeLessThan(500);
    // The paths the service would log without a token in them are logged as they are.
    expect((await traced('/api/openapi.json')).status).toBe(200);

    const lines = ctx.logs().filter((line) => 'status' in line && 'method' in line);
    const logged = (id: string) => lines.find((line) => line.reqId === id)?.path;
    const ids = sent.map((request) => request.id);
    expect(mistakes.map((_, index) => logged(ids[index + 2] ?? ''))).toEqual(
      mistakes.map(([, path]) => path),
    );
    expect(logged(ids.at(-1) ?? '')).toBe('/api/openapi.json');
    const raw = ctx.rawLogs();
    for (const secret of [token, header, payload, signature]) expect(raw).not.toContain(secret);
  });
});
