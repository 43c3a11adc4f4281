// JSON is UTF-8 (RFC 8259 §8.1), and so are OAuth's form bodies: a body declared in any other
// charset is refused with 415 before it is decoded, on /api as problem+json and on /mcp as a
// JSON-RPC error; `charset=utf-8`, in any case and quoted or not, is still accepted.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bearer,
  countTodos,
  createTestContext,
  PASSWORD,
  type TestContext,
  type TestUser,
} from '../helpers.ts';
import { ERAS } from '../mcp/mcp-helpers.ts';
import { createTodoCall, rawCaller } from '../mcp/raw-mcp.ts';

// Each body is the title `Café` in the declared charset, so that a decoder would have accepted it.
const FOREIGN: [charset: string, encode: (text: string) => Buffer][] = [
  ['utf-7', (text) => Buffer.from(text.replace('é', '+AOk-'), 'ascii')],
  ['iso-8859-1', (text) => Buffer.from(text, 'latin1')],
  ['UTF-16LE', (text) => Buffer.from(text, 'utf16le')],
  ['utf-16', (text) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])],
];
const UTF8_SPELLINGS = ['utf-8', 'UTF-8', '"utf-8"', 'Utf-8'];

describe('request bodies in another charset than UTF-8', () => {
  let ctx: TestContext;
  let alice: TestUser;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
  });
  afterEach(() => ctx.close());

  /** POSTs bytes as they are: fetch, unlike supertest, does not re-serialise a Buffer. */
  const postBytes = async (
    path: string,
    contentType: string,
    body: Buffer,
    headers: Record<string, string> = {},
  ) => {
    const res = await fetch(`${await ctx.listen()}${path}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': contentType },
      body,
    });
    return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
  };

  it.each(FOREIGN)(
    'refuses a JSON body in %s on /api with 415 and stores nothing',
    async (charset, encode) => {
      const res = await postBytes(
        '/api/todos',
        `application/json; charset=${charset}`,
        encode(JSON.stringify({ title: 'Café' })),
        bearer(alice),
      );
      expect(res.status, res.text).toBe(415);
      expect(res.type).toMatch(/^application\/problem\+json/);
      expect(JSON.parse(res.text)).toMatchObject({
        type: 'urn:todos:problem:unsupported-media-type',
        status: 415,
        detail: expect.stringMatching(/UTF-8/),
      });
      expect(countTodos(ctx)).toBe(0);
    },
  );

  it('refuses a form-encoded password grant in Latin-1 with 415', async () => {
    const form = `grant_type=password&username=${alice.username}&password=${encodeURIComponent(PASSWORD)}`;
    const res = await postBytes(
      '/api/auth/token',
      'application/x-www-form-urlencoded; charset=iso-8859-1',
      Buffer.from(form, 'latin1'),
    );
    expect(res.status).toBe(415);
    expect(JSON.parse(res.text)).toMatchObject({ type: 'urn:todos:problem:unsupported-media-type' });
  });

  it.each(UTF8_SPELLINGS)('accepts a JSON body declared charset=%s on /api', async (charset) => {
    const res = await postBytes(
      '/api/todos',
      `application/json; charset=${charset}`,
      Buffer.from(JSON.stringify({ title: 'Café' }), 'utf8'),
      bearer(alice),
    );
    expect(res.status, res.text).toBe(201);
    expect(JSON.parse(res.text)).toMatchObject({ title: 'Café' });
  });

  describe.each(ERAS)('on /mcp in the %s era', (era) => {
    const post = async (charset: string, encode: (text: string) => Buffer) => {
      const base = await ctx.listen();
      const caller = await rawCaller(base, era, alice.token);
      const { body, headers } = caller.request(...createTodoCall('Café'));
      const res = await fetch(`${base}/mcp`, {
        method: 'POST',
        headers: {
          ...headers,
          authorization: `Bearer ${alice.token}`,
          accept: 'application/json, text/event-stream',
          'content-type': `application/json; charset=${charset}`,
        },
        body: encode(JSON.stringify(body)),
      });
      return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
    };

    it.each(FOREIGN)(
      'refuses a body in %s with 415 as a JSON-RPC error, running no tool',
      async (charset, encode) => {
        const res = await post(charset, encode);
        expect(res.status, res.text).toBe(415);
        expect(res.type).toMatch(/^application\/json/);
        expect(JSON.parse(res.text)).toMatchObject({ jsonrpc: '2.0', error: { code: -32000 }, id: null });
        expect(countTodos(ctx)).toBe(0);
      },
    );

    it.each(UTF8_SPELLINGS)('accepts a body declared charset=%s', async (charset) => {
      const res = await post(charset, (text) => Buffer.from(text, 'utf8'));
      expect(res.status, res.text).toBe(200);
      expect(res.text).toContain('Café');
      expect(countTodos(ctx)).toBe(1);
    });
  });
});
