// How /mcp reads request bodies: the usual request (plain UTF-8 JSON with a Content-Length)
// takes a short path, everything else goes through express.json(). Whichever path a body
// takes, the answer must be the same.
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countTodos, createTestContext, type TestContext } from '../helpers.ts';
import { rpcMessage } from '../rpc-message.ts';
import { type RawCaller, rawCaller } from './raw-mcp.ts';

interface Answer {
  status: number;
  code: number | undefined;
  result: boolean;
}

describe('reading /mcp request bodies', () => {
  let ctx: TestContext;
  let base: string;
  let raw: RawCaller;
  let token: string;

  beforeEach(async () => {
    ctx = createTestContext();
    const alice = await ctx.signUp();
    token = alice.token;
    base = await ctx.listen();
    raw = await rawCaller(base, 'modern', token);
  });
  afterEach(() => ctx.close());

  /** POSTs the body with the modern era's headers, with a Content-Length or chunked. */
  async function send(
    body: string | Uint8Array,
    how: 'sized' | 'chunked',
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const { headers: eraHeaders } = raw.request('tools/call', { name: 'get_all_todos', arguments: {} });
    const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/json',
        Accept: 'application/json, text/event-stream',
        Authorization: `Bearer ${token}`,
        ...eraHeaders,
        ...headers,
      },
      body:
        how === 'sized'
          ? bytes
          : new ReadableStream({
              start(controller) {
                controller.enqueue(bytes);
                controller.close();
              },
            }),
      ...(how === 'chunked' ? { duplex: 'half' } : {}),
    } as RequestInit);
    const message = rpcMessage<{ result?: unknown; error?: { code: number } }>(await res.text());
    return { status: res.status, code: message?.error?.code, result: message?.result !== undefined };
  }

  const listCall = () =>
    JSON.stringify(raw.request('tools/call', { name: 'get_all_todos', arguments: {} }).body);

  it.each([
    ['a tools/call', () => listCall()],
    ['a tools/call after a byte-order mark', () => `\uFEFF${listCall()}`],
    ['malformed JSON', () => '{"jsonrpc": "2.0", "id": 1, "method": '],
    ['a JSON string instead of an object', () => '"tools/call"'],
    ['a JSON number', () => '42'],
    ['an empty body', () => ''],
  ])('answers %s sent with a Content-Length exactly as the same body sent chunked', async (_name, body) => {
    const sized = await send(body(), 'sized');
    const chunked = await send(body(), 'chunked');
    expect(sized).toEqual(chunked);
  });

  it('serves a tools/call, and refuses a body that is not a JSON object or array as a parse error', async () => {
    expect(await send(listCall(), 'sized')).toEqual({ status: 200, code: undefined, result: true });
    expect(await send('"tools/call"', 'sized')).toEqual({ status: 400, code: -32700, result: false });
  });

  it('still reads a gzip-compressed body', async () => {
    const { body, headers } = raw.request('tools/call', {
      name: 'create_todo',
      arguments: { title: 'Compressed' },
    });
    const answer = await send(gzipSync(JSON.stringify(body)), 'sized', {
      ...headers,
      'Content-Encoding': 'gzip',
    });
    expect(answer).toEqual({ status: 200, code: undefined, result: true });
    expect(countTodos(ctx)).toBe(1);
  });
});
