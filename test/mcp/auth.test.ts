import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  claimsFor,
  forgeries,
  malformedAuthorizations,
  signHs256,
  wellFormedAuthorizations,
} from '../forged-tokens.ts';
import { countTodos, createTestContext, PUBLIC_URL, type TestContext, type TestUser } from '../helpers.ts';
import { ERAS } from './mcp-helpers.ts';
import { createTodoCall, type RawCaller, rawCaller } from './raw-mcp.ts';

const METADATA_URL = `${PUBLIC_URL}/.well-known/oauth-protected-resource/mcp`;

describe.each(ERAS)('/mcp authentication in the %s era', (era) => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;
  let raw: RawCaller;

  // Refused requests change nothing, so one context serves every test here.
  beforeAll(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
    raw = await rawCaller(base, era, alice.token);
  });
  afterAll(() => ctx.close());

  it('answers a request without Authorization with 401 and a resource_metadata challenge', async () => {
    const before = countTodos(ctx);
    const res = await raw.call(...createTodoCall(), { token: null });
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toMatch(/^Bearer /);
    expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
    expect(countTodos(ctx)).toBe(before);
  });

  it('accepts a token the test signs with the right claims (the forgeries differ only where named)', async () => {
    const res = await raw.call(...createTodoCall('Signed by the test'), {
      token: signHs256(claimsFor(alice.id)),
    });
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({ title: 'Signed by the test' });
  });

  it.each(forgeries('mcp'))('refuses %s with 401 and runs no tool', async (_name, forge) => {
    const before = countTodos(ctx);
    const res = await raw.call(...createTodoCall(), { token: forge(alice.id) });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
    expect(countTodos(ctx)).toBe(before);
  });

  it.each(malformedAuthorizations)(
    'refuses an Authorization header with %s with 401 and a resource_metadata challenge, and runs no tool',
    async (_name, header) => {
      const before = countTodos(ctx);
      const res = await raw.call(...createTodoCall(), {
        token: null,
        headers: { Authorization: header(alice.token) },
      });
      expect(res.status).toBe(401);
      const challenge = res.headers.get('www-authenticate') ?? '';
      expect(challenge).toContain('error="invalid_token"');
      expect(challenge).toContain(`resource_metadata="${METADATA_URL}"`);
      expect(countTodos(ctx)).toBe(before);
    },
  );

  it.each(wellFormedAuthorizations)('accepts a bearer token written with %s', async (_name, header) => {
    const res = await raw.call(
      'tools/call',
      { name: 'get_all_todos', arguments: {} },
      {
        token: null,
        headers: { Authorization: header(alice.token) },
      },
    );
    expect(res.status).toBe(200);
    expect(res.message?.result?.structuredContent).toMatchObject({ nextCursor: null });
  });

  it('never writes a bearer token to the logs, accepted or refused', async () => {
    const forged = signHs256(claimsFor(alice.id), 'another-secret-that-is-also-32-bytes-long');
    await raw.call('tools/call', { name: 'get_all_todos', arguments: {} });
    await raw.call('tools/call', { name: 'get_all_todos', arguments: {} }, { token: forged });
    const logs = ctx.rawLogs();
    for (const token of [alice.token, forged]) {
      expect(logs).not.toContain(token);
      expect(logs).not.toContain(token.split('.')[2]);
    }
  });

  it('ignores a token in the query string (?access_token=) and answers 401', async () => {
    const before = countTodos(ctx);
    const res = await raw.call(...createTodoCall(), {
      token: null,
      path: `/mcp?access_token=${encodeURIComponent(alice.token)}`,
    });
    expect(res.status).toBe(401);
    expect(countTodos(ctx)).toBe(before);
  });
});

describe('the protected resource metadata of /mcp', () => {
  let ctx: TestContext;
  let base: string;

  beforeAll(async () => {
    ctx = createTestContext();
    base = await ctx.listen();
  });
  afterAll(() => ctx.close());

  it('is served without auth at the path the 401 challenge names', async () => {
    const challenged = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json, text/event-stream' },
      body: '{}',
    });
    const named = /resource_metadata="([^"]+)"/.exec(challenged.headers.get('www-authenticate') ?? '')?.[1];
    expect(named).toBe(METADATA_URL);
    const res = await fetch(`${base}${new URL(METADATA_URL).pathname}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      resource: `${PUBLIC_URL}/mcp`,
      bearer_methods_supported: ['header'],
      authorization_servers: [PUBLIC_URL],
    });
    expect(metadata.scopes_supported).toEqual(['todos:read', 'todos:write']);
  });
});
