// Dynamic client registration (RFC 7591): open to public clients, validated, bounded per
// address, and a registration nobody uses lapses.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { authorizeUrl, CALLBACK, grantTokens, pkce, registerClient } from './oauth-helpers.ts';

describe('dynamic client registration', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let clock = Date.now();

  beforeAll(async () => {
    ctx = await createListeningContext({ now: () => clock });
    alice = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  it('registers a public client: a client_id, no secret, token_endpoint_auth_method none', async () => {
    const { status, body } = await registerClient(ctx.base, {
      client_name: 'My host',
      application_type: 'native',
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      client_name: 'My host',
      redirect_uris: [CALLBACK],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
    });
    expect(body).not.toHaveProperty('client_secret');
    expect(typeof body.client_id_issued_at).toBe('number');
  });

  it('answers a client that asks for a secret with token_endpoint_auth_method none, and no secret', async () => {
    const { status, body } = await registerClient(ctx.base, {
      token_endpoint_auth_method: 'client_secret_basic',
    });
    expect(status).toBe(201);
    expect(body.token_endpoint_auth_method).toBe('none');
    expect(body).not.toHaveProperty('client_secret');
  });

  it.each([
    ['no redirect URI', { redirect_uris: [] }, 'invalid_redirect_uri'],
    [
      'only a plain-http redirect to another host',
      { redirect_uris: ['http://evil.example/cb'] },
      'invalid_redirect_uri',
    ],
    ['a javascript: redirect', { redirect_uris: ['javascript:alert(1)'] }, 'invalid_redirect_uri'],
    ['a redirect with a fragment', { redirect_uris: [`${CALLBACK}#frag`] }, 'invalid_redirect_uri'],
    [
      'grant types without authorization_code',
      { grant_types: ['client_credentials'] },
      'invalid_client_metadata',
    ],
    ['response types without code', { response_types: ['token'] }, 'invalid_client_metadata'],
    ['a name with a control character', { client_name: 'bad\u0007name' }, 'invalid_client_metadata'],
    [
      'a name with a bidi override (it would reorder the consent page around it)',
      { client_name: 'Evil\u202Eedualc' },
      'invalid_client_metadata',
    ],
    ['a name with nothing visible', { client_name: '\u200B\u2060' }, 'invalid_client_metadata'],
  ])('refuses %s with %s', async (_name, metadata, error) => {
    const { status, body } = await registerClient(ctx.base, metadata);
    expect(status).toBe(400);
    expect(body.error).toBe(error);
    expect(typeof body.error_description).toBe('string');
  });

  it('refuses a body that is not JSON with an RFC 6749 error, not problem+json', async () => {
    const res = await fetch(`${ctx.base}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'redirect_uris=x',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_client_metadata');
  });

  it('lets a registration nobody used lapse after a day, and keeps one that got a grant', async () => {
    const unused = await registerClient(ctx.base);
    const used = await grantTokens(ctx.base, alice);
    clock += 25 * 3600_000;
    const challenge = pkce().challenge;
    const lapsed = await fetch(
      authorizeUrl(ctx.base, { clientId: unused.clientId, challenge, method: 'S256' }),
      {
        redirect: 'manual',
      },
    );
    expect(lapsed.status).toBe(400);
    expect(await lapsed.text()).toContain('not registered');
    const kept = await fetch(authorizeUrl(ctx.base, { clientId: used.clientId, challenge, method: 'S256' }), {
      redirect: 'manual',
    });
    expect(kept.status).toBe(303);
  });
});

describe('registration limits', () => {
  it('counts registrations from every address of one IPv6 /64 as from one address', async () => {
    const ctx = await createListeningContext({ trustProxy: 'loopback' });
    const registerFrom = (address: string) =>
      fetch(`${ctx.base}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
        body: JSON.stringify({ redirect_uris: [CALLBACK] }),
      });
    try {
      for (let i = 1; i <= 30; i++) expect((await registerFrom(`2001:db8:5:5::${i}`)).status).toBe(201);
      expect((await registerFrom('2001:db8:5:5:abcd::1')).status).toBe(429);
      expect((await registerFrom('2001:db8:5:6::1')).status).toBe(201);
    } finally {
      await ctx.close();
    }
  });

  it('refuses the 31st registration from one address within the hour with 429 and Retry-After', async () => {
    const ctx = await createListeningContext();
    try {
      for (let i = 0; i < 30; i++) expect((await registerClient(ctx.base)).status).toBe(201);
      const res = await fetch(`${ctx.base}/oauth/register`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ redirect_uris: [CALLBACK] }),
      });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(((await res.json()) as { error: string }).error).toBe('temporarily_unavailable');
    } finally {
      await ctx.close();
    }
  });
});
