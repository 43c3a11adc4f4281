// /mcp serves POST in every era, and GET (the stream) and DELETE (ending a session) only when
// 2025-era sessions are on: every other method is answered 405, as a JSON-RPC error like the
// transport's other refusals, with an Allow header that lists what that mode serves.
import { afterEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers.ts';
import { exchange } from './raw-http.ts';

const MODES = [
  {
    sessions: true,
    allow: 'DELETE, GET, OPTIONS, POST',
    refused: ['HEAD', 'PUT', 'PATCH', 'TRACE', 'PROPFIND'],
  },
  { sessions: false, allow: 'OPTIONS, POST', refused: ['GET', 'DELETE', 'HEAD', 'PUT', 'PATCH', 'TRACE'] },
];

describe.each(MODES)('/mcp with legacy sessions $sessions', ({ sessions, allow, refused }) => {
  let ctx: TestContext | undefined;
  afterEach(() => ctx?.close());

  it.each(refused)('answers %s with 405 and Allow: the methods it serves', async (method) => {
    ctx = createTestContext({ mcp: { legacySessions: sessions } });
    const base = await ctx.listen();
    for (const path of ['/mcp', '/mcp/']) {
      const answer = await exchange(base, `${method} ${path} HTTP/1.1\r\nHost: ${new URL(base).host}`);
      expect(answer.status, `${method} ${path}: ${answer.body}`).toBe(405);
      expect(answer.headers.allow).toBe(allow);
      if (method !== 'HEAD') {
        expect(answer.headers['content-type']).toMatch(/^application\/json/);
        expect(JSON.parse(answer.body)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
      }
    }
  });
});
