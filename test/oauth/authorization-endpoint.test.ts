// The authorization endpoint: what it refuses, and how. Before the client and its redirect
// URI are trusted, a refusal is a page and never a redirect; after, it goes to the client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  Browser,
  CALLBACK,
  grantTokens,
  payloadOf,
  pkce,
  registerClient,
  statusOn,
  tokenRequest,
} from './oauth-helpers.ts';

describe('the authorization endpoint', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let clientId: string;
  const { challenge } = pkce();

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
    clientId = (await registerClient(ctx.base)).clientId;
  });
  afterAll(() => ctx.close());

  /** The answer to an authorization request, without following it. */
  const ask = (options: Partial<Parameters<typeof authorizeUrl>[1]> = {}) =>
    fetch(authorizeUrl(ctx.base, { clientId, challenge, method: 'S256', ...options }), {
      redirect: 'manual',
    });

  const errorAtClient = async (res: Response) => {
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('iss')).toBe(ctx.base);
    return location.searchParams.get('error');
  };

  const errorPage = async (res: Response) => {
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    return res.text();
  };

  it('sends a person who is not signed in to the sign-in page, to come back to the same request', async () => {
    const res = await ask();
    expect(res.status).toBe(303);
    const location = new URL(res.headers.get('location') ?? '', ctx.base);
    expect(location.pathname).toBe('/oauth/sign-in');
    expect(location.searchParams.get('return_to')).toMatch(/^\/oauth\/authorize\?/);
  });

  it('refuses a request without a PKCE challenge, at the client', async () => {
    expect(await errorAtClient(await ask({ challenge: undefined, method: undefined }))).toBe(
      'invalid_request',
    );
  });

  it('refuses the plain PKCE method, at the client', async () => {
    expect(await errorAtClient(await ask({ method: 'plain' }))).toBe('invalid_request');
  });

  it('refuses a challenge without a method (which would mean plain), at the client', async () => {
    expect(await errorAtClient(await ask({ method: undefined }))).toBe('invalid_request');
  });

  it('refuses a resource other than our /mcp or /api with invalid_target', async () => {
    expect(await errorAtClient(await ask({ resource: 'https://evil.example/mcp' }))).toBe('invalid_target');
  });

  it('refuses response types other than code', async () => {
    expect(await errorAtClient(await ask({ extra: { response_type: 'token' } }))).toBe(
      'unsupported_response_type',
    );
  });

  it('never bounces a visitor to a registered https redirect on a bad request: a page with a link, not a redirect (RFC 9700 §4.11.2)', async () => {
    // Anyone can register https://evil.example and send people a link to our authorization
    // endpoint with a request that fails at once: our URL must not forward them there.
    const redirectUri = 'https://evil.example/callback';
    const { clientId: phisher } = await registerClient(ctx.base, { redirect_uris: [redirectUri] });
    const res = await ask({ clientId: phisher, redirectUri, challenge: undefined, method: undefined });
    const page = await errorPage(res);
    const href = /<a href="([^"]+)">/.exec(page)?.[1]?.replaceAll('&amp;', '&') ?? '';
    const back = new URL(href);
    expect(`${back.origin}${back.pathname}`).toBe(redirectUri);
    expect(back.searchParams.get('error')).toBe('invalid_request');
    expect(back.searchParams.get('state')).toBe('state-123');
    expect(back.searchParams.get('iss')).toBe(ctx.base);
  });

  it('shows an error page, and redirects nowhere, for a redirect URI the client did not register', async () => {
    const page = await errorPage(await ask({ redirectUri: 'https://evil.example/callback' }));
    expect(page).toContain('not one the application registered');
    expect(page).not.toContain('evil.example');
  });

  it.each([
    ['another host that starts like ours', 'http://127.0.0.1.evil.example:8976/callback'],
    ['credentials before a loopback host', 'http://evil.example@127.0.0.1:8976/callback'],
    ['another path on the loopback host', 'http://127.0.0.1:8976/elsewhere'],
    ['another loopback host name', 'http://localhost:8976/callback'],
    ['a fragment', `${CALLBACK}#x`],
    ['https instead of http', 'https://127.0.0.1:8976/callback'],
    ['a javascript: URI', 'javascript:alert(1)'],
  ])('treats %s as an unregistered redirect URI (open-redirect attempt)', async (_name, redirectUri) => {
    await errorPage(await ask({ redirectUri }));
  });

  it('shows an error page for an unknown client, or a client_id sent twice', async () => {
    await errorPage(await ask({ clientId: 'not-a-client' }));
    const twice = await fetch(
      `${authorizeUrl(ctx.base, { clientId, challenge, method: 'S256' })}&client_id=${clientId}`,
      {
        redirect: 'manual',
      },
    );
    await errorPage(twice);
  });

  it('accepts the registered loopback redirect on any port (RFC 8252 §7.3)', async () => {
    const { location } = await authorizeAsPerson(
      authorizeUrl(ctx.base, {
        clientId,
        challenge,
        method: 'S256',
        redirectUri: 'http://127.0.0.1:51234/callback',
      }),
      alice,
    );
    expect(location.origin).toBe('http://127.0.0.1:51234');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('returns access_denied, with state and iss, when the person denies', async () => {
    const { location } = await authorizeAsPerson(
      authorizeUrl(ctx.base, {
        clientId: (await registerClient(ctx.base)).clientId,
        challenge,
        method: 'S256',
      }),
      alice,
      { decision: 'deny' },
    );
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('state-123');
    expect(location.searchParams.get('iss')).toBe(ctx.base);
    expect(location.searchParams.get('code')).toBeNull();
  });

  it('grants only the scopes the person left ticked, and asks again when the client wants more', async () => {
    const { clientId: narrow } = await registerClient(ctx.base);
    const { verifier, challenge: narrowChallenge } = pkce();
    const url = authorizeUrl(ctx.base, { clientId: narrow, challenge: narrowChallenge, method: 'S256' });
    const { location, browser } = await authorizeAsPerson(url, alice, { granted: ['todos:read'] });
    const exchanged = await tokenRequest(ctx.base, {
      grant_type: 'authorization_code',
      client_id: narrow,
      code: location.searchParams.get('code') ?? '',
      redirect_uri: CALLBACK,
      code_verifier: verifier,
    });
    expect(exchanged.body.scope).toBe('todos:read');
    expect(payloadOf(String(exchanged.body.access_token)).scope).toBe('todos:read');
    const again = await browser.request(url);
    expect(new URL(again.headers.get('location') ?? '', ctx.base).pathname).toBe('/oauth/consent');
  });

  it('skips the consent page when the person already allowed this client these scopes', async () => {
    const redirectUri = 'https://host.example/callback';
    const { clientId: remembered } = await registerClient(ctx.base, { redirect_uris: [redirectUri] });
    const url = authorizeUrl(ctx.base, { clientId: remembered, redirectUri, challenge, method: 'S256' });
    const first = await authorizeAsPerson(url, alice);
    const again = await first.browser.request(url);
    expect(again.status).toBe(303);
    const location = new URL(again.headers.get('location') ?? '');
    expect(location.origin).toBe('https://host.example');
    expect(location.searchParams.get('code')).toBeTruthy();
  });

  it('asks again every time when the answer goes to a loopback address, which proves nothing about who asks (RFC 8252 §8.6)', async () => {
    const { clientId: native } = await registerClient(ctx.base);
    const url = authorizeUrl(ctx.base, { clientId: native, challenge, method: 'S256' });
    const first = await authorizeAsPerson(url, alice);
    expect(first.location.searchParams.get('code')).toBeTruthy();
    const again = await first.browser.request(url);
    expect(again.status).toBe(303);
    expect(new URL(again.headers.get('location') ?? '', ctx.base).pathname).toBe('/oauth/consent');
  });

  it('issues tokens for /api when the client names that resource, accepted there and not on /mcp', async () => {
    const { accessToken } = await grantTokens(ctx.base, alice, { resource: `${ctx.base}/api` });
    expect(payloadOf(accessToken).aud).toEqual([`${ctx.base}/api`]);
    expect(await statusOn(ctx.base, accessToken)).toEqual({ api: 200, mcp: 401 });
  });

  it('keeps a signed-in person signed in across requests (a second client asks only for consent)', async () => {
    const browser = new Browser();
    await authorizeAsPerson(authorizeUrl(ctx.base, { clientId, challenge, method: 'S256' }), alice, {
      browser,
    });
    const { clientId: second } = await registerClient(ctx.base);
    const res = await browser.request(
      authorizeUrl(ctx.base, { clientId: second, challenge, method: 'S256' }),
    );
    expect(new URL(res.headers.get('location') ?? '', ctx.base).pathname).toBe('/oauth/consent');
  });
});
