// Odd but legal request lines and Host headers (RFC 9112 §3), sent over a bare socket to a
// listening createApp: each is served or refused with a 4xx, never a 5xx or a dropped
// connection, and an absolute-form target is served exactly like its origin-form twin.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countTodos, createTestContext, type TestContext, type TestUser } from '../helpers.ts';
import { ERAS } from '../mcp/mcp-helpers.ts';
import { createTodoCall, rawCaller } from '../mcp/raw-mcp.ts';
import { exchange, type RawHttpAnswer } from './raw-http.ts';

/** A request line for `target` with the usual Host; `HOST` stands for the listening host:port. */
const line = (methodAndTarget: string, ...headers: string[]) =>
  [`${methodAndTarget} HTTP/1.1`, 'Host: HOST', ...headers].join('\r\n');
const AUTH = 'Authorization: Bearer TOKEN';
const MCP = 'DELETE, GET, OPTIONS, POST';
const API_TODOS = 'GET, HEAD, OPTIONS, POST';
const PROBLEM = /^application\/problem\+json/;
const A_TODO = '/api/todos/00000000-0000-4000-8000-000000000000';

// [what, the status it gets, the request head, the Allow header it gets (when checked)]
const CASES: [name: string, status: number, head: string, allow?: string][] = [
  // Methods a path is not served with: 405 and what would work.
  ['TRACE on /mcp', 405, line('TRACE /mcp'), MCP],
  ['HEAD on /mcp', 405, line('HEAD /mcp'), MCP],
  ['PUT on /mcp/', 405, line('PUT /mcp/'), MCP],
  ['TRACE on /health', 405, line('TRACE /health'), 'GET, HEAD, OPTIONS'],
  ['PROPFIND on a collection', 405, line('PROPFIND /api/todos'), API_TODOS],
  ['POST on a todo', 405, line(`POST ${A_TODO}`), 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'],
  [
    'DELETE on the metadata',
    405,
    line('DELETE /.well-known/oauth-protected-resource/mcp'),
    'GET, HEAD, OPTIONS',
  ],
  ['CONNECT to our own address', 405, line('CONNECT HOST'), 'GET, HEAD, OPTIONS'],
  ['CONNECT with a path', 405, line('CONNECT /api/todos'), API_TODOS],
  ['an unusual method on an unknown path', 404, line('TRACE /nowhere')],
  // The asterisk-form asks about the server as a whole, and only OPTIONS may.
  ['OPTIONS *', 204, line('OPTIONS *'), 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'],
  ['GET *', 400, line('GET *')],
  // The absolute-form is served as its path when it names the host in Host.
  ['absolute-form /health', 200, line('GET http://HOST/health')],
  ['absolute-form, upper-case scheme', 200, line('GET HTTP://HOST/health')],
  ['absolute-form /api', 200, line('GET http://HOST/api/todos?limit=1', AUTH)],
  ['absolute-form without a path, as /', 200, line('GET http://HOST')],
  ['absolute-form over HTTP/1.0 without Host', 200, 'GET http://HOST/health HTTP/1.0'],
  ['absolute-form naming another host', 400, line('GET http://evil.example/health')],
  ['absolute-form with user info', 400, line('GET http://user:secret@HOST/health')],
  ['absolute-form of another scheme', 400, line('GET ftp://HOST/health')],
  // ...and the /mcp Host check (DNS rebinding) applies to the host it names.
  [
    'absolute-form to /mcp for a foreign host',
    403,
    'POST http://evil.example/mcp HTTP/1.1\r\nHost: evil.example',
  ],
  // Host: exactly one, and valid (RFC 9112 §3.2).
  ['two Host headers', 400, line('GET /health', 'Host: evil.example')],
  ['two Host headers that agree', 400, line('GET /health', 'host: HOST')],
  ['an empty Host', 400, 'GET /health HTTP/1.1\r\nHost: '],
  ['a Host that is not a host', 400, 'GET /health HTTP/1.1\r\nHost: a/b'],
  ['no Host over HTTP/1.1', 400, 'GET /health HTTP/1.1'],
  ['no Host over HTTP/1.0', 200, 'GET /health HTTP/1.0'],
  // Credentials: at most one, so no one in the path can read a different one than we do.
  ['two Authorization headers on /api', 400, line('GET /api/todos', AUTH, 'Authorization: Bearer other')],
  ['two Authorization headers on /mcp', 400, line('POST /mcp', AUTH, AUTH)],
  // Paths: dot segments, encoded slashes, bad escapes, length.
  ['dot segments', 404, line('GET /api/../health')],
  ['encoded dot segments in an id', 404, line('GET /api/todos/..%2f..%2fhealth', AUTH)],
  ['an encoded slash', 404, line('GET /api%2Ftodos')],
  ['a double slash', 404, line('GET //health')],
  ['a broken percent escape', 400, line('GET /api/todos/%ZZ', AUTH)],
  ['an 8,000-character path', 404, line(`GET /${'a'.repeat(8_000)}`)],
  ['a path longer than the header limit', 431, line(`GET /${'a'.repeat(20_000)}`)],
  // What Node's parser refuses before the app sees it.
  ['a method HTTP does not define', 400, line('BREW /health')],
  ['the HTTP/2 preface', 400, 'PRI * HTTP/2.0\r\n\r\nSM\r\n'],
];

describe('odd but legal request lines', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let host: string;

  beforeAll(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
    host = new URL(base).host;
  });
  afterAll(() => ctx.close());

  const send = (head: string, body?: string): Promise<RawHttpAnswer> =>
    exchange(base, head.replaceAll('HOST', host).replaceAll('TOKEN', alice.token), body);

  it.each(CASES)('answers %s with %s', async (_name, status, head, allow) => {
    const answer = await send(head);
    expect(answer.status, answer.body).toBe(status);
    if (allow !== undefined) expect(answer.headers.allow).toBe(allow);
    // Refusals of ours are machine-readable: problem+json, or JSON-RPC on /mcp.
    if (status >= 400 && answer.body !== '') {
      expect(answer.headers['content-type']).toMatch(/^application\/(problem\+)?json/);
      expect(answer.body).not.toMatch(/<html|\bat \S+ \(/i);
    }
  });

  it('refuses with problem+json what it refuses before routing', async () => {
    for (const head of ['GET /health HTTP/1.1\r\nHost: HOST\r\nHost: HOST', 'GET * HTTP/1.1\r\nHost: HOST']) {
      const answer = await send(head);
      expect(answer.headers['content-type']).toMatch(PROBLEM);
      expect(JSON.parse(answer.body)).toMatchObject({
        type: 'urn:todos:problem:malformed-request',
        status: 400,
      });
    }
  });

  it('logs no error for any of them', () => {
    expect(ctx.logs().filter((line) => Number(line.level) >= 50)).toEqual([]);
  });
});

describe.each(ERAS)('an absolute-form request target on /mcp in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;

  beforeAll(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
  });
  afterAll(() => ctx.close());

  it('is served like its origin-form twin', async () => {
    const caller = await rawCaller(base, era, alice.token);
    const { body, headers } = caller.request(...createTodoCall('Sent in absolute form'));
    const host = new URL(base).host;
    const head = [
      `POST http://${host}/mcp HTTP/1.1`,
      `Host: ${host}`,
      `Authorization: Bearer ${alice.token}`,
      'Content-Type: application/json',
      'Accept: application/json, text/event-stream',
      ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
    ].join('\r\n');
    const answer = await exchange(base, head, JSON.stringify(body));
    expect(answer.status, answer.body).toBe(200);
    expect(answer.body).toContain('Sent in absolute form');
    expect(countTodos(ctx)).toBe(1);
  });
});
