// Our first pages: strict headers, cookies a script cannot read, CSRF tokens on every form,
// errors beside the field, and no way to bounce a person to another site.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createListeningContext,
  createTestContext,
  PASSWORD,
  type TestContext,
  type TestUser,
} from '../helpers.ts';
import {
  authorizeAsPerson,
  authorizeUrl,
  Browser,
  hiddenFields,
  pkce,
  registerClient,
} from '../oauth/oauth-helpers.ts';

describe('the sign-in, sign-up and consent pages', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
  });
  afterAll(() => ctx.close());

  /** A browser on the sign-in page: the page's HTML and the browser holding its CSRF cookie. */
  async function onSignInPage(returnTo = '/oauth/sign-in') {
    const browser = new Browser();
    const url = `${ctx.base}/oauth/sign-in?return_to=${encodeURIComponent(returnTo)}`;
    const res = await browser.request(url);
    return { browser, url, res, page: await res.text() };
  }

  it('serves pages with a CSP that allows no script and no framing, and our stylesheet', async () => {
    const { res, page } = await onSignInPage();
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self'");
    expect(csp).not.toContain('script-src');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(page).not.toContain('<script');
    expect(page).not.toContain('style=');
    const stylesheets = [...page.matchAll(/<link rel="stylesheet" href="([^"]+)">/g)].map((m) => m[1]);
    expect(stylesheets).toEqual(['/oauth/assets/theme.css', '/oauth/assets/pages.css']);
    for (const href of stylesheets) {
      const css = await fetch(`${ctx.base}${href}`);
      expect(css.status).toBe(200);
      expect(css.headers.get('content-type')).toMatch(/^text\/css/);
    }
  });

  it('sets the CSRF and session cookies HttpOnly and SameSite=Lax, without Secure over http', async () => {
    const { browser, url, res, page } = await onSignInPage();
    const csrf = res.headers.getSetCookie().find((line) => line.startsWith('todos_csrf='));
    expect(csrf).toMatch(/HttpOnly/);
    expect(csrf).toMatch(/SameSite=Lax/);
    expect(csrf).not.toMatch(/Secure/);
    const signedIn = await browser.submit(url, page, '/oauth/sign-in', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(signedIn.status).toBe(303);
    const session = signedIn.headers.getSetCookie().find((line) => line.startsWith('todos_session='));
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).toMatch(/Path=\//);
  });

  it('uses __Host- cookies with Secure when the public URL is https', async () => {
    const secure = createTestContext({ publicUrl: 'https://todos.example' });
    try {
      const answer = await fetch(`${await secure.listen()}/oauth/sign-in`);
      const csrf = answer.headers.getSetCookie().find((line) => line.startsWith('__Host-todos_csrf='));
      expect(csrf).toMatch(/Secure/);
      expect(csrf).toMatch(/Path=\//);
    } finally {
      await secure.close();
    }
  });

  it('refuses a sign-in form without the CSRF token: 403, and no session', async () => {
    const { browser } = await onSignInPage();
    const res = await browser.request(`${ctx.base}/oauth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: alice.username, password: PASSWORD }),
    });
    expect(res.status).toBe(403);
    expect(res.headers.getSetCookie().some((line) => line.startsWith('todos_session='))).toBe(false);
  });

  /** A signed-in person's browser on a consent page, and that page's hidden fields. */
  async function onConsentPage() {
    const signedIn = authorizeUrl(ctx.base, {
      clientId: (await registerClient(ctx.base)).clientId,
      challenge: pkce().challenge,
      method: 'S256',
    });
    const { browser } = await authorizeAsPerson(signedIn, alice);
    const start = authorizeUrl(ctx.base, {
      clientId: (await registerClient(ctx.base)).clientId,
      challenge: pkce().challenge,
      method: 'S256',
    });
    const consentUrl = new URL((await browser.request(start)).headers.get('location') ?? '', ctx.base).href;
    const fields = hiddenFields(await (await browser.request(consentUrl)).text(), '/oauth/consent');
    const post = (body: [string, string][], headers: Record<string, string> = {}) =>
      browser.request(`${ctx.base}/oauth/consent`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(body),
      });
    return { fields, post, browser };
  }

  it('names a registered application by the host its answer goes to, not by the home page it claims', async () => {
    const { clientId } = await registerClient(ctx.base, {
      client_name: 'Claude',
      client_uri: 'https://claude.ai',
      redirect_uris: ['https://evil.example/callback'],
    });
    const { browser } = await authorizeAsPerson(
      authorizeUrl(ctx.base, {
        clientId: (await registerClient(ctx.base)).clientId,
        challenge: pkce().challenge,
        method: 'S256',
      }),
      alice,
    );
    const start = authorizeUrl(ctx.base, {
      clientId,
      redirectUri: 'https://evil.example/callback',
      challenge: pkce().challenge,
      method: 'S256',
    });
    const consentUrl = new URL((await browser.request(start)).headers.get('location') ?? '', ctx.base).href;
    const page = await (await browser.request(consentUrl)).text();
    expect(page).toContain('Unverified application.');
    expect(page).toContain('It is at <strong>evil.example</strong>');
    expect(page).not.toContain('claude.ai');
    // Whatever the name holds, it cannot reorder the sentence around it.
    expect(page).toContain('<h1>Allow <bdi>Claude</bdi> to use your todos?</h1>');
  });

  it('refuses a forged consent POST without the CSRF token: 403, and no code for the client', async () => {
    const { fields, post } = await onConsentPage();
    const forged = await post([
      ...fields.filter(([name]) => name !== 'csrf_token'),
      ['decision', 'allow'],
      ['granted', 'todos:read'],
    ]);
    expect(forged.status).toBe(403);
    expect(forged.headers.get('location')).toBeNull();
  });

  it("refuses a consent POST from another site's origin even with a token", async () => {
    const { fields, post } = await onConsentPage();
    const res = await post([...fields, ['decision', 'allow']], { origin: 'https://evil.example' });
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it('refuses a consent POST once the browser is signed in as someone else than the page showed', async () => {
    const { fields, post, browser } = await onConsentPage();
    const signIn = `${ctx.base}/oauth/sign-in`;
    const signedIn = await (await browser.request(signIn)).text();
    await browser.submit(signIn, signedIn, '/oauth/sign-out', {});
    const bob = await ctx.signUp();
    const page = await (await browser.request(signIn)).text();
    await browser.submit(signIn, page, '/oauth/sign-in', { username: bob.username, password: PASSWORD });
    const res = await post([...fields, ['decision', 'allow'], ['granted', 'todos:read']]);
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it("refuses a consent POST for another request than the page showed (the form's token is bound to it)", async () => {
    const { fields, post } = await onConsentPage();
    const other = (await registerClient(ctx.base)).clientId;
    const swapped = fields.map(([name, value]): [string, string] => [
      name,
      name === 'client_id' ? other : value,
    ]);
    const res = await post([...swapped, ['decision', 'allow'], ['granted', 'todos:read']]);
    expect(res.status).toBe(403);
    expect(res.headers.get('location')).toBeNull();
  });

  it('shows a working consent page to a browser that kept its session but lost its CSRF cookie', async () => {
    const { browser } = await authorizeAsPerson(
      authorizeUrl(ctx.base, {
        clientId: (await registerClient(ctx.base)).clientId,
        challenge: pkce().challenge,
        method: 'S256',
      }),
      alice,
    );
    // The CSRF cookie lives as long as the browser runs; the session cookie has a Max-Age.
    browser.forget('todos_csrf');
    const start = authorizeUrl(ctx.base, {
      clientId: (await registerClient(ctx.base)).clientId,
      challenge: pkce().challenge,
      method: 'S256',
    });
    const consentUrl = new URL((await browser.request(start)).headers.get('location') ?? '', ctx.base).href;
    const shown = await browser.request(consentUrl);
    // One secret for the page: its consent form and its sign-out form both hold.
    expect(shown.headers.getSetCookie().filter((line) => line.startsWith('todos_csrf='))).toHaveLength(1);
    const page = await shown.text();
    const allowed = await browser.submit(consentUrl, page, '/oauth/consent', {
      decision: 'allow',
      granted: 'todos:read',
    });
    expect(new URL(allowed.headers.get('location') ?? '').searchParams.get('code')).toBeTruthy();
    const signedOut = await browser.submit(consentUrl, page, '/oauth/sign-out', {});
    expect(signedOut.status).toBe(303);
  });

  it('shows a wrong password beside the password field, the same for an unknown user', async () => {
    const { browser, url, page } = await onSignInPage();
    const wrong = await browser.submit(url, page, '/oauth/sign-in', {
      username: alice.username,
      password: 'not the password!',
    });
    const unknown = await browser.submit(url, page, '/oauth/sign-in', {
      username: 'nobody-here',
      password: 'not the password!',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const wrongPage = await wrong.text();
    expect(wrongPage).toMatch(/aria-describedby="field-password-error"/);
    expect(wrongPage).toContain(
      '<p class="error" id="field-password-error">The username or password is incorrect.</p>',
    );
    expect((await unknown.text()).replace(/nobody-here/g, alice.username)).toBe(wrongPage);
  });

  it('applies the registration rules on the sign-up page, each message beside its field', async () => {
    const browser = new Browser();
    const url = `${ctx.base}/oauth/sign-up`;
    const page = await (await browser.request(url)).text();
    const short = await browser.submit(url, page, '/oauth/sign-up', {
      username: 'new_person',
      password: 'short',
    });
    expect(short.status).toBe(400);
    expect(await short.text()).toMatch(
      /id="field-password-error">The password must be at least 12 characters/,
    );
    const taken = await browser.submit(url, page, '/oauth/sign-up', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain('id="field-username-error">This username is taken.');
    const created = await browser.submit(url, page, '/oauth/sign-up', {
      username: `new_${Date.now()}`,
      password: PASSWORD,
    });
    expect(created.status).toBe(303);
    expect(created.headers.getSetCookie().some((line) => line.startsWith('todos_session='))).toBe(true);
  });

  it.each([
    ['another site', 'https://evil.example/'],
    ['a protocol-relative URL', '//evil.example/'],
    ['a backslash trick', '/\\evil.example/'],
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a dot segment before a second slash', '/.//evil.example/'],
    ['an encoded dot-dot segment before a second slash', '/%2e%2e//evil.example/'],
    ['a dot segment after a path', '/oauth/..//evil.example/'],
  ])('never sends a person to %s after signing in', async (_name, returnTo) => {
    const { browser, url, page } = await onSignInPage(returnTo);
    const res = await browser.submit(url, page, '/oauth/sign-in', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/oauth/sign-in');
    // Signed in now, the sign-in page forwards at once: it must not forward there either.
    const again = await browser.request(
      `${ctx.base}/oauth/sign-in?return_to=${encodeURIComponent(returnTo)}`,
    );
    expect(again.headers.get('location')).toBeNull();
  });
});
