// Discovery as a host does it: the 401 on /mcp, the protected-resource document, and our
// authorization server's metadata, every URL of which now answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import { createTodoCall, rawCaller } from '../mcp/raw-mcp.ts';
import { postForm } from './oauth-helpers.ts';

describe('OAuth discovery', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  it('answers /mcp without a token with 401 naming the resource metadata and the scopes to ask for', async () => {
    const raw = await rawCaller(ctx.base, 'modern', alice.token);
    const challenge =
      (await raw.call(...createTodoCall(), { token: null })).headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(`resource_metadata="${ctx.base}/.well-known/oauth-protected-resource/mcp"`);
    expect(challenge).toContain('scope="todos:read todos:write"');
  });

  it('answers a write with a read-only token with 403 naming the scope and the resource metadata', async () => {
    const readOnly = await postForm(`${ctx.base}/api/auth/token`, {
      grant_type: 'password',
      username: alice.username,
      password: PASSWORD,
      scope: 'todos:read',
    });
    const raw = await rawCaller(ctx.base, 'modern', String(readOnly.body.access_token));
    const res = await raw.call(...createTodoCall());
    expect(res.status).toBe(403);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain('error="insufficient_scope"');
    expect(challenge).toContain('scope="todos:write"');
    expect(challenge).toContain(`resource_metadata="${ctx.base}/.well-known/oauth-protected-resource/mcp"`);
  });

  it('points the protected-resource document at our own issuer, whose metadata matches it exactly', async () => {
    const prm = (await (await fetch(`${ctx.base}/.well-known/oauth-protected-resource/mcp`)).json()) as {
      authorization_servers: string[];
    };
    expect(prm.authorization_servers).toEqual([ctx.base]);
    const res = await fetch(`${prm.authorization_servers[0]}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      issuer: ctx.base,
      authorization_endpoint: `${ctx.base}/oauth/authorize`,
      token_endpoint: `${ctx.base}/oauth/token`,
      registration_endpoint: `${ctx.base}/oauth/register`,
      revocation_endpoint: `${ctx.base}/oauth/revoke`,
      response_types_supported: ['code'],
      response_modes_supported: ['query'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      revocation_endpoint_auth_methods_supported: ['none'],
      scopes_supported: ['todos:read', 'todos:write'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
  });

  it('lets browser-based clients read the metadata and call the token endpoint from any origin, without credentials', async () => {
    for (const path of [
      '/.well-known/oauth-authorization-server',
      '/.well-known/oauth-protected-resource/mcp',
    ]) {
      const res = await fetch(`${ctx.base}${path}`, { headers: { origin: 'http://localhost:6274' } });
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    }
    const preflight = await fetch(`${ctx.base}/oauth/token`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:6274',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type',
      },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    const api = await fetch(`${ctx.base}/api/todos`, { headers: { origin: 'http://localhost:6274' } });
    expect(api.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('keeps the password grant on /api/auth/token working unchanged', async () => {
    const res = await postForm(`${ctx.base}/api/auth/token`, {
      grant_type: 'password',
      username: alice.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(res.body.scope).toBe('todos:read todos:write');
  });
});
