// The per-person cap on connected apps (OAUTH_MAX_GRANTS_PER_USER): the person learns it on
// the consent page, where they can make room, and no code or grant is issued past it; the
// token endpoint refuses too when another app took the last place after the consent.
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, PASSWORD, type TestContext, type TestUser } from '../helpers.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  Browser,
  CALLBACK,
  grantTokens,
  pkce,
  registerClient,
  tokenRequest,
} from './oauth-helpers.ts';

const CAP = 2;
const AT_CAP = `You have ${CAP} connected apps, and an account can have at most ${CAP}.`;
const SCOPES = ['todos:read', 'todos:write'];

describe('the cap on connected apps', () => {
  let ctx: TestContext & { base: string };

  beforeAll(async () => {
    ctx = await createListeningContext({ oauthMaxGrantsPerUser: CAP });
  });
  afterAll(() => ctx.close());

  const stored = (user: TestUser, table: 'oauth_grants' | 'oauth_codes') =>
    ctx.db.prepare(`SELECT count(*) FROM ${table} WHERE user_id = ?`).pluck().get(user.id);

  /** A person who connected as many apps as the cap allows. */
  const atCap = async () => {
    const user = await ctx.signUp();
    for (let i = 0; i < CAP; i++) await grantTokens(ctx.base, user);
    return user;
  };

  /** Follows an authorization request through sign-in to the consent page, and returns it. */
  const openConsent = async (browser: Browser, url: string, user: TestUser) => {
    let next = url;
    for (let step = 0; step < 10; step++) {
      const res = await browser.request(next);
      if (res.status === 303) {
        next = new URL(res.headers.get('location') ?? '', next).href;
        continue;
      }
      const page = await res.text();
      if (!page.includes('action="/oauth/sign-in"')) return { url: next, page };
      const signedIn = await browser.submit(next, page, '/oauth/sign-in', {
        username: user.username,
        password: PASSWORD,
      });
      next = new URL(signedIn.headers.get('location') ?? '', next).href;
    }
    throw new Error('never reached the consent page');
  };

  const newRequest = async () => {
    const { clientId } = await registerClient(ctx.base);
    const { verifier, challenge } = pkce();
    return { clientId, verifier, url: authorizeUrl(ctx.base, { clientId, challenge, method: 'S256' }) };
  };

  it('tells a person at the cap on the consent page how to make room, and issues no code when they allow anyway', async () => {
    const carol = await atCap();
    const browser = new Browser();
    const consent = await openConsent(browser, (await newRequest()).url, carol);
    expect(consent.page).toContain(AT_CAP);
    expect(consent.page).toContain('<a href="/#agents" target="_blank" rel="noopener">Agents page</a>');
    const codesBefore = stored(carol, 'oauth_codes');

    const answer = await browser.submit(consent.url, consent.page, '/oauth/consent', {
      decision: 'allow',
      granted: SCOPES,
    });
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location') ?? '', ctx.base);
    expect(back.origin).toBe(ctx.base);
    expect(back.pathname).toBe('/oauth/consent');
    expect(await (await browser.request(back.href)).text()).toContain(AT_CAP);
    expect(stored(carol, 'oauth_grants')).toBe(CAP);
    expect(stored(carol, 'oauth_codes')).toBe(codesBefore);
  });

  it('lets the person allow the app once they disconnected one', async () => {
    const dave = await atCap();
    const browser = new Browser();
    const consent = await openConsent(browser, (await newRequest()).url, dave);
    expect(consent.page).toContain(AT_CAP);
    const listed = await request(ctx.app)
      .get('/api/auth/grants')
      .set('Authorization', `Bearer ${dave.token}`);
    const disconnected = await request(ctx.app)
      .delete(`/api/auth/grants/${listed.body.items[0].id}`)
      .set('Authorization', `Bearer ${dave.token}`);
    expect(disconnected.status).toBe(204);

    const answer = await browser.submit(consent.url, consent.page, '/oauth/consent', {
      decision: 'allow',
      granted: SCOPES,
    });
    const location = new URL(answer.headers.get('location') ?? '');
    expect(`${location.origin}${location.pathname}`).toBe(CALLBACK);
    expect(location.searchParams.get('code')).toBeTruthy();
    expect((await openConsent(browser, (await newRequest()).url, dave)).page).not.toContain(AT_CAP);
  });

  it('sends a person at the cap to the consent page, not back with a code, for an app whose consent is remembered', async () => {
    const erin = await ctx.signUp();
    const redirectUri = 'https://host.example/callback';
    const { clientId } = await registerClient(ctx.base, { redirect_uris: [redirectUri] });
    const { challenge } = pkce();
    const url = authorizeUrl(ctx.base, { clientId, redirectUri, challenge, method: 'S256' });
    const { browser } = await authorizeAsPerson(url, erin);
    for (let i = 0; i < CAP; i++) await grantTokens(ctx.base, erin);

    const again = await browser.request(url);
    expect(again.status).toBe(303);
    const next = new URL(again.headers.get('location') ?? '', ctx.base);
    expect(`${next.origin}${next.pathname}`).toBe(`${ctx.base}/oauth/consent`);
    expect(await (await browser.request(next.href)).text()).toContain(AT_CAP);
  });

  it('refuses the token exchange with invalid_grant when another app took the last place after the consent', async () => {
    const frank = await ctx.signUp();
    for (let i = 0; i < CAP - 1; i++) await grantTokens(ctx.base, frank);
    // Two consents while one place is free, then both exchanges.
    const consentTo = async () => {
      const offer = await newRequest();
      const { location } = await authorizeAsPerson(offer.url, frank);
      return { ...offer, code: location.searchParams.get('code') ?? '' };
    };
    const first = await consentTo();
    const second = await consentTo();
    const exchange = ({ clientId, code, verifier }: typeof first) =>
      tokenRequest(ctx.base, {
        grant_type: 'authorization_code',
        client_id: clientId,
        code,
        redirect_uri: CALLBACK,
        code_verifier: verifier,
      });
    expect((await exchange(first)).status).toBe(200);
    const refused = await exchange(second);
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_grant');
    expect(refused.body.error_description).toMatch(/already has 2 connected apps.*disconnect one/);
    expect(refused.body.access_token).toBeUndefined();
    expect(stored(frank, 'oauth_grants')).toBe(CAP);
  });
});
