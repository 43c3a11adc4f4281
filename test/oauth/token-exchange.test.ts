// The token endpoint: codes are single-use, short-lived and bound to the client, the
// redirect URI, the PKCE challenge and the resource; every refusal is an RFC 6749 error.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  CALLBACK,
  payloadOf,
  pkce,
  registerClient,
  statusOn,
  tokenRequest,
} from './oauth-helpers.ts';

describe('the token endpoint with authorization codes', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let clock = Date.now();

  beforeAll(async () => {
    ctx = await createListeningContext({ now: () => clock });
    alice = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  /** A fresh client and a code for it, as a person allowing it would produce. */
  async function codeFor(options: { resource?: string } = {}) {
    const { clientId } = await registerClient(ctx.base);
    const { verifier, challenge } = pkce();
    const { location } = await authorizeAsPerson(
      authorizeUrl(ctx.base, { clientId, challenge, method: 'S256', ...options }),
      alice,
    );
    return { clientId, verifier, code: location.searchParams.get('code') ?? '', location };
  }

  const exchange = (fields: Record<string, string>) =>
    tokenRequest(ctx.base, { grant_type: 'authorization_code', redirect_uri: CALLBACK, ...fields });

  it('issues our own JWT for the /mcp resource, with the grant and client, and a refresh token', async () => {
    const { clientId, verifier, code, location } = await codeFor();
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('iss')).toBe(ctx.base);
    const res = await exchange({ client_id: clientId, code, code_verifier: verifier });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      scope: 'todos:read todos:write',
      expires_in: 3600,
    });
    expect(res.headers.get('cache-control')).toBe('no-store');
    const claims = payloadOf(String(res.body.access_token));
    expect(claims).toMatchObject({
      iss: ctx.base,
      sub: alice.id,
      aud: [`${ctx.base}/mcp`],
      kind: 'oauth',
      client_id: clientId,
    });
    expect(typeof claims.grant_id).toBe('string');
    expect(typeof res.body.refresh_token).toBe('string');
  });

  it('refuses a wrong code_verifier with invalid_grant, and the code is spent', async () => {
    const { clientId, verifier, code } = await codeFor();
    const wrong = await exchange({ client_id: clientId, code, code_verifier: pkce().verifier });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
    const retry = await exchange({ client_id: clientId, code, code_verifier: verifier });
    expect(retry.body.error).toBe('invalid_grant');
  });

  it('refuses a missing code_verifier', async () => {
    const { clientId, code } = await codeFor();
    const res = await exchange({ client_id: clientId, code });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('refuses a code used a second time and revokes the grant the first use created', async () => {
    const { clientId, verifier, code } = await codeFor();
    const first = await exchange({ client_id: clientId, code, code_verifier: verifier });
    expect(first.status).toBe(200);
    const second = await exchange({ client_id: clientId, code, code_verifier: verifier });
    expect(second.status).toBe(400);
    expect(second.body.error).toBe('invalid_grant');
    expect(await statusOn(ctx.base, String(first.body.access_token))).toEqual({ api: 401, mcp: 401 });
    const refreshed = await tokenRequest(ctx.base, {
      grant_type: 'refresh_token',
      client_id: clientId,
      refresh_token: String(first.body.refresh_token),
    });
    expect(refreshed.body.error).toBe('invalid_grant');
  });

  it('refuses a code presented by another client', async () => {
    const { verifier, code } = await codeFor();
    const other = await registerClient(ctx.base);
    const res = await exchange({ client_id: other.clientId, code, code_verifier: verifier });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
  });

  it('refuses a code with another redirect_uri than the authorization request had', async () => {
    const { clientId, verifier, code } = await codeFor();
    const res = await exchange({
      client_id: clientId,
      code,
      code_verifier: verifier,
      redirect_uri: 'http://127.0.0.1:8977/callback',
    });
    expect(res.body.error).toBe('invalid_grant');
  });

  it('refuses a code after its 60 seconds', async () => {
    const { clientId, verifier, code } = await codeFor();
    clock += 61_000;
    const res = await exchange({ client_id: clientId, code, code_verifier: verifier });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('invalid_grant');
    expect(res.body.error_description).toContain('expired');
  });

  it('refuses to widen the resource at the token endpoint with invalid_target', async () => {
    const { clientId, verifier, code } = await codeFor();
    const res = await exchange({
      client_id: clientId,
      code,
      code_verifier: verifier,
      resource: `${ctx.base}/api`,
    });
    expect(res.body.error).toBe('invalid_target');
  });

  it('answers an unknown client with 401 invalid_client and a Basic challenge (RFC 6749 §5.2)', async () => {
    const res = await exchange({ client_id: 'nobody', code: 'x', code_verifier: pkce().verifier });
    expect(res.status).toBe(401);
    expect(res.body.error).toBe('invalid_client');
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
  });

  it('answers Basic credentials that are not form-encoded with 401 invalid_client, never a 500', async () => {
    const res = await fetch(`${ctx.base}/oauth/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        authorization: `Basic ${Buffer.from('%E0%A4%A:secret').toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client');
  });

  it('answers unknown grant types, JSON bodies and repeated parameters with RFC 6749 errors, never problem+json', async () => {
    const { clientId } = await registerClient(ctx.base);
    const grantType = await tokenRequest(ctx.base, { grant_type: 'password', client_id: clientId });
    expect(grantType.body.error).toBe('unsupported_grant_type');
    const repeated = await tokenRequest(ctx.base, {
      grant_type: 'authorization_code',
      client_id: [clientId, clientId],
    });
    expect(repeated.body.error).toBe('invalid_request');
    const json = await fetch(`${ctx.base}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code' }),
    });
    expect(json.status).toBe(400);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await json.json()) as { error: string }).error).toBe('invalid_request');
    const get = await fetch(`${ctx.base}/oauth/token`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: string }).error).toBe('invalid_request');
  });
});
