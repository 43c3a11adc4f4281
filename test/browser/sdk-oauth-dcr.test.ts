// The official SDK v2 client's OAuth support, end to end, holding nothing but our /mcp URL:
// the 401, discovery, dynamic registration, PKCE, the browser step in real Chromium on our
// sign-in and consent pages, the code exchange, tool calls in both protocol eras, refresh,
// and revocation through DELETE /api/auth/grants/{id}.
import { Client, StreamableHTTPClientTransport, UnauthorizedError } from '@modelcontextprotocol/client';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { type Era, textOf } from '../mcp/mcp-helpers.ts';
import { BROWSER_TEST_TIMEOUT_MS, type Chromium, launchChromium } from './chromium.ts';
import { allowAs, BrowserOAuthProvider, CallbackServer } from './oauth-host.ts';

describe('the SDK client signs in through our pages (dynamic client registration)', {
  timeout: BROWSER_TEST_TIMEOUT_MS,
}, () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let chromium: Chromium;
  let callback: CallbackServer;
  let provider: BrowserOAuthProvider;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
    chromium = await launchChromium();
    callback = await CallbackServer.start();
    provider = new BrowserOAuthProvider({ browser: chromium.context, callback });
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await chromium.close();
    await callback.close();
    await ctx.close();
  });

  const clientFor = (era: Era) =>
    new Client(
      { name: 'oauth-host', version: '1.0.0' },
      era === 'modern' ? { versionNegotiation: { mode: 'auto' as const } } : {},
    );

  async function connect(era: Era): Promise<Client> {
    const client = clientFor(era);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${ctx.base}/mcp`), { authProvider: provider }),
    );
    return client;
  }

  it('gets from the 401 to a working token with only the URL, through sign-in and consent in Chromium', async () => {
    provider.person = allowAs(alice.username);
    const transport = new StreamableHTTPClientTransport(new URL(`${ctx.base}/mcp`), {
      authProvider: provider,
    });
    await expect(clientFor('modern').connect(transport)).rejects.toBeInstanceOf(UnauthorizedError);
    expect(provider.redirects).toBe(1);
    expect(provider.clientInformation()?.client_id).toMatch(/^[0-9a-f-]{36}$/);
    const landed = provider.lastCallback;
    expect(landed?.get('iss')).toBe(ctx.base);
    await transport.finishAuth(landed ?? new URLSearchParams());
    expect(provider.tokens()?.refresh_token).toBeTruthy();
    provider.person = undefined;
  });

  it.each<Era>(['modern', 'legacy'])('calls tools in the %s era with the token it got', async (era) => {
    const client = await connect(era);
    expect(client.getProtocolEra()).toBe(era);
    const created = await client.callTool({
      name: 'create_todo',
      arguments: { title: `Made over OAuth (${era})` },
    });
    expect(created.isError).toBeFalsy();
    const listed = await client.callTool({ name: 'get_all_todos', arguments: {} });
    expect(textOf(listed)).toContain(`Made over OAuth (${era})`);
    await client.close();
  });

  it("attributes the client's requests to it in the log, which holds no token, code or password", async () => {
    const clientId = provider.clientInformation()?.client_id;
    const mcpLines = ctx.logs().filter((line) => line.path === '/mcp' && line.status === 200);
    expect(mcpLines.length).toBeGreaterThan(0);
    expect(mcpLines.every((line) => line.oauthClientId === clientId)).toBe(true);
    const raw = ctx.rawLogs();
    for (const secret of [
      provider.tokens()?.access_token,
      provider.tokens()?.refresh_token,
      provider.lastCallback?.get('code'),
      'correct horse battery staple',
    ]) {
      expect(secret).toBeTruthy();
      expect(raw).not.toContain(String(secret));
    }
  });

  it("records the application by its name in the person's activity log", async () => {
    const clientId = provider.clientInformation()?.client_id;
    const activity = await request(ctx.app)
      .get('/api/activity')
      .set({ Authorization: `Bearer ${alice.token}` });
    expect(activity.status).toBe(200);
    expect(activity.body.items).toHaveLength(2);
    for (const entry of activity.body.items) {
      expect(entry).toMatchObject({
        action: 'created',
        via: 'mcp',
        client: { kind: 'oauth_client', id: clientId, name: 'SDK test host' },
      });
    }
  });

  it('refreshes by itself when its access token stops working, rotating the refresh token', async () => {
    const before = provider.tokens()?.refresh_token;
    provider.spoilAccessToken();
    const client = await connect('modern');
    const listed = await client.callTool({ name: 'get_all_todos', arguments: {} });
    expect(listed.isError).toBeFalsy();
    expect(provider.tokens()?.refresh_token).toBeTruthy();
    expect(provider.tokens()?.refresh_token).not.toBe(before);
    expect(provider.redirects).toBe(1);
    await client.close();
  });

  it('is refused on its next call once the person revokes the grant, and must ask the person again', async () => {
    const client = await connect('modern');
    const grants = await request(ctx.app)
      .get('/api/auth/grants')
      .set({ Authorization: `Bearer ${alice.token}` });
    expect(grants.body.items).toHaveLength(1);
    expect(grants.body.items[0]).toMatchObject({ clientName: 'SDK test host', resources: ['mcp'] });
    const revoked = await request(ctx.app)
      .delete(`/api/auth/grants/${grants.body.items[0].id}`)
      .set({ Authorization: `Bearer ${alice.token}` });
    expect(revoked.status).toBe(204);
    await expect(client.callTool({ name: 'get_all_todos', arguments: {} })).rejects.toBeInstanceOf(
      UnauthorizedError,
    );
    // Its refresh token was refused too, so the host had to start a new authorization.
    expect(provider.redirects).toBe(2);
    await client.close();
  });
});
