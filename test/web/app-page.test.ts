// The web app's page at `/` over plain HTTP: a browser gets the app (or the shared sign-in
// page first), JSON clients keep the signpost, and the page carries a strict CSP, no inline
// script, and only files we serve.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { signInOnWeb, signOutOnWeb, type WebSession } from './web-helpers.ts';

const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

describe('the web app page', () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let web: WebSession;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
    web = await signInOnWeb(ctx.base, alice.username);
  });
  afterAll(() => ctx.close());

  it('sends a browser without a session to the shared sign-in page, which returns it here', async () => {
    const res = await fetch(`${ctx.base}/`, { headers: { accept: BROWSER_ACCEPT }, redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/oauth/sign-in?return_to=%2F');
    expect(res.headers.get('vary')).toMatch(/Accept/);
  });

  it('keeps answering curl and JSON clients with the signpost', async () => {
    for (const accept of ['*/*', 'application/json', undefined]) {
      const res = await fetch(`${ctx.base}/`, { headers: accept === undefined ? {} : { accept } });
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(((await res.json()) as { app: string }).app).toBe(`${ctx.base}/`);
    }
  });

  it('serves the app to a signed-in browser under a strict CSP, with no inline script or style', async () => {
    const res = await web.browser.request(`${ctx.base}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('same-origin');
    const csp = (res.headers.get('content-security-policy') ?? '').split('; ');
    expect(csp).toEqual(
      expect.arrayContaining([
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ]),
    );
    expect(csp.join(' ')).not.toMatch(/unsafe|\*/);
    const page = await res.text();
    expect(page).toContain(`Signed in as <strong>${alice.username}</strong>`);
    // Every script is a file from our origin: none is inline, and no element carries a style.
    expect([...page.matchAll(/<script[^>]*>/g)].map((match) => match[0])).toEqual([
      '<script type="module" src="/app/main.js">',
    ]);
    expect(page).not.toMatch(/ style=| on[a-z]+=/);
  });

  it('serves the files the page loads, and nothing else under /app', async () => {
    const imports = new Set<string>([
      '/app/main.js',
      '/oauth/assets/theme.css',
      '/app/app.css',
      '/app/icon.svg',
    ]);
    // Follow the module graph from main.js, as the browser does.
    for (const path of imports) {
      const res = await fetch(`${ctx.base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toMatch(/^(text\/javascript|text\/css|image\/svg\+xml)/);
      if (!path.endsWith('.js')) continue;
      for (const match of (await res.text()).matchAll(/from '\.\/([a-z-]+\.js)'/g))
        imports.add(`/app/${match[1]}`);
    }
    expect(imports.size).toBeGreaterThan(5);
    for (const path of ['/app/tsconfig.json', '/app/nothing.js', '/app/..%2Fapp-page.ts', '/app/']) {
      expect((await fetch(`${ctx.base}${path}`)).status, path).toBe(404);
    }
  });

  it('signs out with the page’s own form, back to the sign-in page that returns here', async () => {
    const session = await signInOnWeb(ctx.base, alice.username);
    const res = await signOutOnWeb(session);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/oauth/sign-in?return_to=%2F');
    const after = await session.browser.request(`${ctx.base}/`, { headers: { accept: BROWSER_ACCEPT } });
    expect(after.status).toBe(303);
  });
});
