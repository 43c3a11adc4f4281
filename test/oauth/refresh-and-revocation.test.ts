// Refresh tokens rotate on every use and a replayed one revokes its grant; RFC 7009
// revocation of a refresh or access token ends every token of the grant, on both interfaces.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { grantTokens, payloadOf, postForm, registerClient, statusOn, tokenRequest } from './oauth-helpers.ts';

describe('refresh tokens and revocation', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  const refresh = (clientId: string, refreshToken: string, extra: Record<string, string> = {}) =>
    tokenRequest(ctx.base, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: refreshToken,
      ...extra,
    });

  const revoke = (clientId: string, token: string) =>
    postForm(`${ctx.base}/oauth/revoke`, { client_id: clientId, token });

  const both = (clientId: string) =>
    grantTokens(ctx.base, alice, { clientId, resource: [`${ctx.base}/mcp`, `${ctx.base}/api`] });

  it('rotates the refresh token on every use, keeping the grant', async () => {
    const first = await grantTokens(ctx.base, alice);
    const second = await refresh(first.clientId, first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refresh_token).not.toBe(first.refreshToken);
    expect(payloadOf(String(second.body.access_token)).grant_id).toBe(payloadOf(first.accessToken).grant_id);
    const third = await refresh(first.clientId, String(second.body.refresh_token));
    expect(third.status).toBe(200);
  });

  it('revokes the whole grant when a used refresh token is replayed', async () => {
    const first = await grantTokens(ctx.base, alice);
    const rotated = await refresh(first.clientId, first.refreshToken);
    const replay = await refresh(first.clientId, first.refreshToken);
    expect(replay.status).toBe(400);
    expect(replay.body.error).toBe('invalid_grant');
    const afterReplay = await refresh(first.clientId, String(rotated.body.refresh_token));
    expect(afterReplay.body.error).toBe('invalid_grant');
    expect((await statusOn(ctx.base, String(rotated.body.access_token))).mcp).toBe(401);
  });

  it('narrows the scope on refresh when asked, and refuses to widen it with invalid_scope', async () => {
    const granted = await grantTokens(ctx.base, alice, { scope: 'todos:read' });
    const wider = await refresh(granted.clientId, granted.refreshToken, { scope: 'todos:read todos:write' });
    expect(wider.body.error).toBe('invalid_scope');
    // RFC 6749 §5.2: printable ASCII without '"' and '\', whatever the client sent.
    const odd = await refresh(granted.clientId, granted.refreshToken, { scope: 'todos:read "tödös\\"' });
    expect(odd.body.error).toBe('invalid_scope');
    expect(odd.body.error_description).toMatch(/^[\x20-\x21\x23-\x5B\x5D-\x7E]+$/);
    // The refused request did not spend the token.
    const same = await refresh(granted.clientId, granted.refreshToken, { scope: 'todos:read' });
    expect(same.status).toBe(200);
    expect(same.body.scope).toBe('todos:read');
  });

  it("refuses another client's refresh token without spending it", async () => {
    const granted = await grantTokens(ctx.base, alice);
    const other = await registerClient(ctx.base);
    expect((await refresh(other.clientId, granted.refreshToken)).body.error).toBe('invalid_grant');
    expect((await refresh(granted.clientId, granted.refreshToken)).status).toBe(200);
  });

  it('revoking a refresh token (RFC 7009) ends the grant: refresh and access tokens, on /mcp and /api', async () => {
    const { clientId } = await registerClient(ctx.base);
    const granted = await both(clientId);
    expect(await statusOn(ctx.base, granted.accessToken)).toEqual({ api: 200, mcp: 200 });
    const res = await revoke(clientId, granted.refreshToken);
    expect(res.status).toBe(200);
    expect(await statusOn(ctx.base, granted.accessToken)).toEqual({ api: 401, mcp: 401 });
    expect((await refresh(clientId, granted.refreshToken)).body.error).toBe('invalid_grant');
  });

  it('revoking an access token (RFC 7009) ends its grant too', async () => {
    const { clientId } = await registerClient(ctx.base);
    const granted = await both(clientId);
    expect((await revoke(clientId, granted.accessToken)).status).toBe(200);
    expect(await statusOn(ctx.base, granted.accessToken)).toEqual({ api: 401, mcp: 401 });
    expect((await refresh(clientId, granted.refreshToken)).body.error).toBe('invalid_grant');
  });

  it("answers 200 for unknown tokens and for another client's token, revoking nothing", async () => {
    const granted = await grantTokens(ctx.base, alice);
    const other = await registerClient(ctx.base);
    expect((await revoke(other.clientId, 'not-a-token')).status).toBe(200);
    expect((await revoke(other.clientId, granted.refreshToken)).status).toBe(200);
    expect((await revoke(other.clientId, granted.accessToken)).status).toBe(200);
    expect((await statusOn(ctx.base, granted.accessToken)).mcp).toBe(200);
  });

  it('refuses a revocation without a token with invalid_request', async () => {
    const { clientId } = await registerClient(ctx.base);
    const res = await postForm(`${ctx.base}/oauth/revoke`, { client_id: clientId });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_request');
  });
});
