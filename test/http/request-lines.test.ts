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

// [what, the request head, the status it gets, the Allow header it gets (when checked)]
const CASES: [name: string, head: string, status: number, allow?: string][] = [
  // Methods a path is not served with: 405 and what would work.
  ['TRACE on /mcp', line('TRACE /mcp'), 405, MCP],
  ['HEAD on /mcp', line('HEAD /mcp'), 405, MCP],
  ['PUT on /mcp/', line('PUT /mcp/'), 405, MCP],
  ['TRACE on /health', line('TRACE /health'), 405, 'GET, HEAD, OPTIONS'],
  ['PROPFIND on a collection', line('PROPFIND /api/todos'), 405, API_TODOS],
  ['POST on a todo', line(`POST ${A_TODO}`), 405, 'DELETE, GET, HEAD, OPTIONS, PATCH, PUT'],
  [
    'DELETE on the metadata',
    line('DELETE /.well-known/oauth-protected-resource/mcp'),
    405,
    'GET, HEAD, OPTIONS',
  ],
  ['CONNECT to our own address', line('CONNECT HOST'), 405, ''],
  ['CONNECT with a path', line('CONNECT /api/todos'), 405, API_TODOS],
  ['an unusual method on an unknown path', line('TRACE /nowhere'), 404],
  // The asterisk-form asks about the server as a whole, and only OPTIONS may.
  ['OPTIONS *', line('OPTIONS *'), 204, 'DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT'],
  ['GET *', line('GET *'), 400],
  // The absolute-form is served as its path when it names the host in Host.
  ['absolute-form /health', line('GET http://HOST/health'), 200],
  ['absolute-form, upper-case scheme', line('GET HTTP://HOST/health'), 200],
  ['absolute-form /api', line('GET http://HOST/api/todos?limit=1', AUTH), 200],
  ['absolute-form without a path', line('GET http://HOST'), 404],
  ['absolute-form over HTTP/1.0 without Host', 'GET http://HOST/health HTTP/1.0', 200],
  ['absolute-form naming another host', line('GET http://evil.example/health'), 400],
  ['absolute-form with user info', line('GET http://user:secret@HOST/health'), 400],
  ['absolute-form of another scheme', line('GET ftp://HOST/health'), 400],
  // ...and the /mcp Host check (DNS rebinding) applies to the host it names.
  [
    'absolute-form to /mcp for a foreign host',
    'POST http://evil.example/mcp HTTP/1.1\r\nHost: evil.example',
    403,
  ],
  // Host: exactly one, and valid (RFC 9112 §3.2).
  ['two Host headers', line('GET /health', 'Host: evil.example'), 400],
  ['two Host headers that agree', line('GET /health', 'host: HOST'), 400],
  ['an empty Host', 'GET /health HTTP/1.1\r\nHost: ', 400],
  ['a Host that is not a host', 'GET /health HTTP/1.1\r\nHost: a/b', 400],
  ['no Host over HTTP/1.1', 'GET /health HTTP/1.1', 400],
  ['no Host over HTTP/1.0', 'GET /health HTTP/1.0', 200],
  // Paths: dot segments, encoded slashes, bad escapes, length.
  ['dot segments', line('GET /api/../health'), 404],
  ['encoded dot segments in an id', line('GET /api/todos/..%2f..%2fhealth', AUTH), 404],
  ['an encoded slash', line('GET /api%2Ftodos'), 404],
  ['a double slash', line('GET //health'), 404],
  ['a broken percent escape', line('GET /api/todos/%ZZ', AUTH), 400],
  ['an 8,000-character path', line(`GET /${'a'.repeat(8_000)}`), 404],
  ['a path longer than the header limit', line(`GET /${'a'.repeat(20_000)}`), 431],
  // What Node's parser refuses before the app sees it.
  ['a method HTTP does not define', line('BREW /health'), 400],
  ['the HTTP/2 preface', 'PRI * HTTP/2.0\r\n\r\nSM\r\n', 400],
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

  it.each(CASES)('answers %s with %i', async (_name, head, status, allow) => {
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
