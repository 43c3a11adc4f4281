// GET and DELETE /api/auth/grants: a person sees and withdraws what they allowed. Only a
// full sign-in may; revoking ends the grant's tokens on the next request on both interfaces.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  grantTokens,
  pkce,
  statusOn,
  tokenRequest,
} from './oauth-helpers.ts';

describe('/api/auth/grants', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
    bob = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  const as = (token: string) => ({ Authorization: `Bearer ${token}` });

  it("lists a person's grants with the client's name, scopes and resources, never tokens", async () => {
    const granted = await grantTokens(ctx.base, alice, { resource: [`${ctx.base}/mcp`, `${ctx.base}/api`] });
    const res = await request(ctx.app).get('/api/auth/grants').set(as(alice.token));
    expect(res.status).toBe(200);
    const mine = res.body.items.find((item: { clientId: string }) => item.clientId === granted.clientId);
    expect(mine).toMatchObject({
      clientName: 'Test host',
      scopes: ['todos:read', 'todos:write'],
      resources: ['mcp', 'api'],
      lastUsedAt: expect.any(String),
    });
    expect(JSON.stringify(res.body)).not.toContain(granted.refreshToken);
    const bobs = await request(ctx.app).get('/api/auth/grants').set(as(bob.token));
    expect(bobs.body.items).toEqual([]);
  });

  it('revokes a grant: its access token is refused on /mcp and /api at once, its refresh token too', async () => {
    const granted = await grantTokens(ctx.base, alice, { resource: [`${ctx.base}/mcp`, `${ctx.base}/api`] });
    expect(await statusOn(ctx.base, granted.accessToken)).toEqual({ api: 200, mcp: 200 });
    const { items } = (await request(ctx.app).get('/api/auth/grants').set(as(alice.token))).body;
    const id = items.find((item: { clientId: string }) => item.clientId === granted.clientId).id;
    expect((await request(ctx.app).delete(`/api/auth/grants/${id}`).set(as(alice.token))).status).toBe(204);
    expect(await statusOn(ctx.base, granted.accessToken)).toEqual({ api: 401, mcp: 401 });
    const refreshed = await tokenRequest(ctx.base, {
      grant_type: 'refresh_token',
      client_id: granted.clientId,
      refresh_token: granted.refreshToken,
    });
    expect(refreshed.body.error).toBe('invalid_grant');
    const after = (await request(ctx.app).get('/api/auth/grants').set(as(alice.token))).body.items;
    expect(after.map((item: { id: string }) => item.id)).not.toContain(id);
  });

  it('forgets the consent with the grant: the client must ask the person again', async () => {
    const granted = await grantTokens(ctx.base, alice);
    const { items } = (await request(ctx.app).get('/api/auth/grants').set(as(alice.token))).body;
    const id = items.find((item: { clientId: string }) => item.clientId === granted.clientId).id;
    await request(ctx.app).delete(`/api/auth/grants/${id}`).set(as(alice.token));
    const { location, browser } = await authorizeAsPerson(
      authorizeUrl(ctx.base, { clientId: granted.clientId, challenge: pkce().challenge, method: 'S256' }),
      alice,
      { decision: 'deny' },
    );
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(browser).toBeDefined();
  });

  it("answers 404 for another person's grant and for an id that cannot exist, revoking nothing", async () => {
    const granted = await grantTokens(ctx.base, alice);
    const { items } = (await request(ctx.app).get('/api/auth/grants').set(as(alice.token))).body;
    const id = items.find((item: { clientId: string }) => item.clientId === granted.clientId).id;
    const other = await request(ctx.app).delete(`/api/auth/grants/${id}`).set(as(bob.token));
    expect(other.status).toBe(404);
    expect(other.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect((await request(ctx.app).delete('/api/auth/grants/not-an-id').set(as(alice.token))).status).toBe(
      404,
    );
    expect((await statusOn(ctx.base, granted.accessToken)).mcp).toBe(200);
  });

  it('refuses an OAuth access token, an agent token and a narrowed sign-in token with 403', async () => {
    const oauth = await grantTokens(ctx.base, alice, { resource: `${ctx.base}/api` });
    const agent = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(as(alice.token))
      .send({ name: 'agent', scopes: ['todos:read'], audience: 'api' });
    const narrowed = await request(ctx.app)
      .post('/api/auth/token')
      .send({ username: alice.username, password: PASSWORD, scope: 'todos:read' });
    for (const token of [oauth.accessToken, agent.body.token, narrowed.body.access_token]) {
      expect((await request(ctx.app).get('/api/auth/grants').set(as(token))).status).toBe(403);
      expect(
        (await request(ctx.app).delete(`/api/auth/grants/${crypto.randomUUID()}`).set(as(token))).status,
      ).toBe(403);
    }
  });

  it('refuses to let an OAuth access token mint an agent token', async () => {
    const oauth = await grantTokens(ctx.base, alice, { resource: `${ctx.base}/api` });
    const res = await request(ctx.app)
      .post('/api/auth/tokens')
      .set(as(oauth.accessToken))
      .send({ name: 'escalate', scopes: ['todos:read'] });
    expect(res.status).toBe(403);
  });

  it('answers 401 without a token', async () => {
    expect((await request(ctx.app).get('/api/auth/grants')).status).toBe(401);
  });
});
