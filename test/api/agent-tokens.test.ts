// Least-privilege agent tokens (issue 4): minted by a signed-in person for one agent, with
// narrow scopes and one audience, stored without the token, and revocable with effect on the
// very next request through both interfaces.
import { InsufficientScopeError } from '@modelcontextprotocol/client';
import jwt from 'jsonwebtoken';
import request from 'supertest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  bearer,
  countTodos,
  createTestContext,
  PUBLIC_URL,
  TEST_SECRET,
  type TestContext,
  type TestUser,
} from '../helpers.ts';
import { connect, ERAS } from '../mcp/mcp-helpers.ts';
import { initializeRequest, post } from '../mcp/raw-mcp.ts';
import { expectProblem } from './expect-problem.ts';

interface Minted {
  id: string;
  token: string;
  scopes: string[];
  audience: string[];
}

describe('agent tokens', () => {
  let ctx: TestContext;
  let alice: TestUser;
  let base: string;

  beforeEach(async () => {
    ctx = createTestContext();
    alice = await ctx.signUp();
    base = await ctx.listen();
  });
  afterEach(() => ctx.close());

  const mint = (owner: TestUser, body: Record<string, unknown>) =>
    request(ctx.app).post('/api/auth/tokens').set(bearer(owner)).send(body);
  const mintOk = async (body: Record<string, unknown>, owner = alice): Promise<Minted> => {
    const res = await mint(owner, body);
    expect(res.status, res.text).toBe(201);
    return res.body as Minted;
  };
  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  it('mints a token shown once, with its record, and stores only what verification needs', async () => {
    const res = await mint(alice, {
      name: 'VS Code',
      scopes: ['todos:read'],
      audience: 'mcp',
      expiresIn: 3600,
    });
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe(`/api/auth/tokens/${res.body.id}`);
    expect(res.body).toMatchObject({
      name: 'VS Code',
      scopes: ['todos:read'],
      audience: ['mcp'],
      lastUsedAt: null,
      revokedAt: null,
    });
    expect(Date.parse(res.body.expiresAt) - Date.parse(res.body.createdAt)).toBe(3_600_000);
    const claims = jwt.verify(res.body.token, TEST_SECRET, { algorithms: ['HS256'] }) as jwt.JwtPayload;
    expect(claims).toMatchObject({
      jti: res.body.id,
      sub: alice.id,
      aud: [`${PUBLIC_URL}/mcp`],
      scope: 'todos:read',
    });
    expect(claims.exp).toBe((claims.iat ?? 0) + 3600);

    const listed = await request(ctx.app).get('/api/auth/tokens').set(bearer(alice));
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(listed.body.items[0]).not.toHaveProperty('token');
    const stored = JSON.stringify(ctx.db.prepare('SELECT * FROM agent_tokens').all());
    expect(stored).not.toContain(res.body.token);
    expect(stored).not.toContain(res.body.token.split('.')[2]);
  });

  it.each(ERAS)('lets a read-only MCP token read but not write through a %s-era client', async (era) => {
    const { token } = await mintOk({ name: 'reader', scopes: ['todos:read'], audience: 'mcp' });
    const mcp = await connect(base, { token }, era);
    try {
      const listed = await mcp.client.callTool({ name: 'get_all_todos', arguments: {} });
      expect(listed.isError).toBeFalsy();
      await expect(
        mcp.client.callTool({ name: 'create_todo', arguments: { title: 'nope' } }),
      ).rejects.toBeInstanceOf(InsufficientScopeError);
    } finally {
      await mcp.client.close();
    }
    expect(countTodos(ctx)).toBe(0);
  });

  it('refuses an MCP-only token on /api, and an API-only token on /mcp, saying the audience is wrong', async () => {
    const mcpOnly = await mintOk({ name: 'agent', scopes: ['todos:read', 'todos:write'], audience: 'mcp' });
    const onApi = expectProblem(
      await request(ctx.app).get('/api/todos').set(as(mcpOnly.token)),
      401,
      'unauthorized',
    );
    expect(onApi.detail).toBe(
      'This token is not valid for the REST API (/api): its audience is another interface. Mint an agent token with "audience": "api" or "both" for this one.',
    );

    const apiOnly = await mintOk({ name: 'script', scopes: ['todos:read'], audience: 'api' });
    expect((await request(ctx.app).get('/api/todos').set(as(apiOnly.token))).status).toBe(200);
    await expect(connect(base, { token: apiOnly.token }, 'modern')).rejects.toThrow();
    const onMcp = await post(base, initializeRequest(), { token: apiOnly.token });
    expect(onMcp.status).toBe(401);
    expect(JSON.parse(onMcp.text)).toEqual({
      error: 'invalid_token',
      error_description:
        'This token is not valid for the MCP server (/mcp): its audience is another interface. Mint an agent token with "audience": "mcp" or "both" for this one.',
    });
  });

  it('keeps the one generic answer for a token that is wrong in any other way, whatever its audience', async () => {
    const apiOnly = await mintOk({ name: 'script', scopes: ['todos:read'], audience: 'api' });
    const tampered = `${apiOnly.token.slice(0, -2)}${apiOnly.token.at(-2) === 'A' ? 'B' : 'A'}${apiOnly.token.at(-1)}`;
    const onMcp = await post(base, initializeRequest(), { token: tampered });
    expect(onMcp.status).toBe(401);
    expect(JSON.parse(onMcp.text).error_description).toBe('The access token is invalid or expired.');
    const onApi = await request(ctx.app).get('/api/todos').set(as(tampered));
    expect(expectProblem(onApi, 401).detail).toBe('The access token is invalid or expired.');
  });

  it('gives a read-only API token 403 insufficient_scope for every write, and writes nothing', async () => {
    const { token } = await mintOk({ name: 'script', scopes: ['todos:read'], audience: 'api' });
    const created = await request(ctx.app).post('/api/todos').set(bearer(alice)).send({ title: 'Mine' });
    const path = `/api/todos/${created.body.id}`;
    const writes = [
      request(ctx.app).post('/api/todos').set(as(token)).send({ title: 'x' }),
      request(ctx.app).put(path).set(as(token)).send({ title: 'x' }),
      request(ctx.app).patch(path).set(as(token)).send({ completed: true }),
      request(ctx.app).delete(path).set(as(token)),
    ];
    for (const res of await Promise.all(writes)) {
      expectProblem(res, 403, 'forbidden');
      expect(res.headers['www-authenticate']).toContain('insufficient_scope');
    }
    expect((await request(ctx.app).get(path).set(as(token))).body).toMatchObject({
      title: 'Mine',
      version: 1,
    });
  });

  it.each(ERAS)(
    'revocation takes effect on the next request, on /api and on a %s-era MCP connection',
    async (era) => {
      const minted = await mintOk({ name: 'agent', scopes: ['todos:read', 'todos:write'], audience: 'both' });
      expect((await request(ctx.app).get('/api/todos').set(as(minted.token))).status).toBe(200);
      const mcp = await connect(base, { token: minted.token }, era);
      try {
        expect((await mcp.client.callTool({ name: 'get_all_todos', arguments: {} })).isError).toBeFalsy();

        const revoked = await request(ctx.app).delete(`/api/auth/tokens/${minted.id}`).set(bearer(alice));
        expect(revoked.status).toBe(204);

        expectProblem(await request(ctx.app).get('/api/todos').set(as(minted.token)), 401, 'unauthorized');
        await expect(
          mcp.client.callTool({ name: 'create_todo', arguments: { title: 'after revoke' } }),
        ).rejects.toThrow();
      } finally {
        await mcp.client.close();
      }
      expect(countTodos(ctx)).toBe(0);
      const listed = await request(ctx.app).get('/api/auth/tokens').set(bearer(alice));
      expect(listed.body.items[0].revokedAt).not.toBeNull();
    },
  );

  it('records when a token was last used', async () => {
    const { token } = await mintOk({ name: 'agent', scopes: ['todos:read'], audience: 'api' });
    await request(ctx.app).get('/api/todos').set(as(token));
    const listed = await request(ctx.app).get('/api/auth/tokens').set(bearer(alice));
    expect(Date.parse(listed.body.items[0].lastUsedAt)).toBeGreaterThan(Date.now() - 60_000);
  });

  it("answers 404 for another user's token id, exactly as for a missing one, and lists only your own", async () => {
    const bob = await ctx.signUp();
    const bobs = await mintOk({ name: 'bob agent', scopes: ['todos:read'] }, bob);
    const theirs = await request(ctx.app).delete(`/api/auth/tokens/${bobs.id}`).set(bearer(alice));
    const missing = await request(ctx.app)
      .delete('/api/auth/tokens/00000000-0000-4000-8000-000000000000')
      .set(bearer(alice));
    expectProblem(theirs, 404, 'not-found');
    expect(theirs.body.title).toBe(missing.body.title);
    expect((await request(ctx.app).get('/api/auth/tokens').set(bearer(alice))).body.items).toEqual([]);
    expect((await request(ctx.app).get('/api/todos').set(as(bobs.token))).status).toBe(401); // mcp audience only
    expect(
      ctx.db.prepare('SELECT revoked_at FROM agent_tokens WHERE id = ?').pluck().get(bobs.id),
    ).toBeNull();
  });

  it('does not let an agent token mint, list or revoke tokens', async () => {
    const { token, id } = await mintOk({
      name: 'agent',
      scopes: ['todos:read', 'todos:write'],
      audience: 'api',
    });
    expectProblem(
      await mint({ ...alice, token }, { name: 'child', scopes: ['todos:read'] }),
      403,
      'forbidden',
    );
    expectProblem(await request(ctx.app).get('/api/auth/tokens').set(as(token)), 403, 'forbidden');
    expectProblem(await request(ctx.app).delete(`/api/auth/tokens/${id}`).set(as(token)), 403, 'forbidden');
    expect(ctx.db.prepare('SELECT count(*) FROM agent_tokens').pluck().get()).toBe(1);
  });

  it.each(['todos:read', 'todos:write'])(
    'does not let a sign-in narrowed to %s mint, list or revoke tokens (403), so it cannot outlive itself',
    async (scope) => {
      const { id } = await mintOk({ name: 'agent', scopes: ['todos:read'] });
      const issued = await request(ctx.app)
        .post('/api/auth/token')
        .send({ username: alice.username, password: 'correct horse battery staple', scope });
      const narrowed = { ...alice, token: issued.body.access_token as string };
      const minted = await mint(narrowed, { name: 'x', scopes: [scope], expiresIn: 90 * 86_400 });
      expect(expectProblem(minted, 403, 'forbidden').detail).toMatch(/sign in with your password/);
      expectProblem(await request(ctx.app).get('/api/auth/tokens').set(bearer(narrowed)), 403, 'forbidden');
      expectProblem(
        await request(ctx.app).delete(`/api/auth/tokens/${id}`).set(bearer(narrowed)),
        403,
        'forbidden',
      );
      const stored = ctx.db.prepare('SELECT count(*), count(revoked_at) FROM agent_tokens').raw().get();
      expect(stored).toEqual([1, 0]);
    },
  );

  it.each([
    ['no name', { scopes: ['todos:read'] }],
    ['an empty name', { name: '  ', scopes: ['todos:read'] }],
    ['a name of only zero-width characters', { name: '\u200b\u200b', scopes: ['todos:read'] }],
    ['no scopes', { name: 'x', scopes: [] }],
    ['an unknown scope', { name: 'x', scopes: ['admin'] }],
    ['an unknown audience', { name: 'x', scopes: ['todos:read'], audience: 'web' }],
    ['a lifetime over 90 days', { name: 'x', scopes: ['todos:read'], expiresIn: 90 * 86_400 + 1 }],
    ['a lifetime under a minute', { name: 'x', scopes: ['todos:read'], expiresIn: 59 }],
    ['an extra field', { name: 'x', scopes: ['todos:read'], userId: 'someone' }],
  ])('refuses a request with %s (400) and mints nothing', async (_case, body) => {
    expectProblem(await mint(alice, body), 400, 'validation-failed');
    expect(ctx.db.prepare('SELECT count(*) FROM agent_tokens').pluck().get()).toBe(0);
  });

  it('caps the number of active tokens per person with a clear 409', async () => {
    for (let i = 0; i < 50; i++) await mintOk({ name: `agent ${i}`, scopes: ['todos:read'] });
    const refused = await mint(alice, { name: 'one too many', scopes: ['todos:read'] });
    expectProblem(refused, 409, 'quota-exceeded');
    expect(refused.body.limit).toBe(50);
  });

  it('caps at MAX_AGENT_TOKENS_PER_USER, and a revoked token frees its place', async () => {
    const small = createTestContext({ maxAgentTokensPerUser: 2 });
    try {
      const owner = await small.signUp();
      const mintThere = (name: string) =>
        request(small.app)
          .post('/api/auth/tokens')
          .set(bearer(owner))
          .send({ name, scopes: ['todos:read'] });
      const first = await mintThere('one');
      expect((await mintThere('two')).status).toBe(201);
      const refused = await mintThere('three');
      expectProblem(refused, 409, 'quota-exceeded');
      expect(refused.body.limit).toBe(2);
      await request(small.app).delete(`/api/auth/tokens/${first.body.id}`).set(bearer(owner)).expect(204);
      expect((await mintThere('three')).status).toBe(201);
    } finally {
      await small.close();
    }
  });

  it('refuses an expired agent token even though its record is still there', async () => {
    const { id } = await mintOk({ name: 'agent', scopes: ['todos:read'], audience: 'api' });
    const now = Math.floor(Date.now() / 1000);
    const expired = jwt.sign(
      {
        iss: PUBLIC_URL,
        sub: alice.id,
        aud: [`${PUBLIC_URL}/api`],
        iat: now - 120,
        exp: now - 60,
        jti: id,
        scope: 'todos:read',
        kind: 'agent',
      },
      TEST_SECRET,
      { algorithm: 'HS256' },
    );
    expectProblem(await request(ctx.app).get('/api/todos').set(as(expired)), 401, 'unauthorized');
  });
});
