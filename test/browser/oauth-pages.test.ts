// Our pages in a real browser: accessible (axe-core finds nothing serious), usable by
// keyboard and on a phone-sized screen, errors beside the field, Deny answered with
// access_denied, and the consent page impossible to frame.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createListeningContext, type TestContext, type TestUser } from '../helpers.ts';
import { authorizeUrl, pkce, registerClient } from '../oauth/oauth-helpers.ts';
import {
  BROWSER_TEST_TIMEOUT_MS,
  type Chromium,
  launchChromium,
  seriousAccessibilityViolations,
  signInOnPage,
} from './chromium.ts';
import { CallbackServer } from './oauth-host.ts';

describe('the sign-in and consent pages in Chromium', { timeout: BROWSER_TEST_TIMEOUT_MS }, () => {
  let ctx: TestContext & { base: string };
  let alice: TestUser;
  let chromium: Chromium;
  let callback: CallbackServer;
  let page: Page;

  beforeAll(async () => {
    ctx = await createListeningContext();
    alice = await ctx.signUp();
    chromium = await launchChromium();
    callback = await CallbackServer.start();
  }, BROWSER_TEST_TIMEOUT_MS);
  afterAll(async () => {
    await chromium.close();
    await callback.close();
    await ctx.close();
  });

  /** A fresh page with no session (the profile's cookies are cleared). */
  async function freshPage(): Promise<Page> {
    await chromium.context.clearCookies();
    if (page && !page.isClosed()) await page.close();
    page = await chromium.context.newPage();
    return page;
  }

  /** A fresh page signed in as Alice, on the consent page of a new client. */
  async function onConsentPage(clientName?: string): Promise<Page> {
    const tab = await freshPage();
    await tab.goto(await startAuthorization(clientName));
    await signInOnPage(tab, alice.username);
    await tab.waitForURL(/\/oauth\/consent/);
    return tab;
  }

  async function startAuthorization(clientName = 'Page test host'): Promise<string> {
    const { clientId } = await registerClient(ctx.base, {
      client_name: clientName,
      redirect_uris: [callback.url],
    });
    return authorizeUrl(ctx.base, {
      clientId,
      redirectUri: callback.url,
      challenge: pkce().challenge,
      method: 'S256',
    });
  }

  it('shows a sign-in page with no serious accessibility violation, reachable by keyboard', async () => {
    const tab = await freshPage();
    await tab.goto(await startAuthorization());
    expect(await seriousAccessibilityViolations(tab)).toEqual([]);
    await tab.keyboard.press('Tab');
    expect(
      await tab.evaluate(
        () =>
          (globalThis as unknown as { document: { activeElement: { id: string } } }).document.activeElement
            .id,
      ),
    ).toBe('field-username');
  });

  it('shows a wrong password beside the password field, announced with it', async () => {
    const tab = await freshPage();
    await tab.goto(await startAuthorization());
    await signInOnPage(tab, alice.username, 'this is not the password');
    const error = tab.locator('#field-password-error');
    await expect.poll(() => error.isVisible()).toBe(true);
    expect(await error.textContent()).toBe('The username or password is incorrect.');
    expect(await tab.getByLabel('Password').getAttribute('aria-describedby')).toContain(
      'field-password-error',
    );
    expect(await tab.getByLabel('Username').inputValue()).toBe(alice.username);
    expect(await seriousAccessibilityViolations(tab)).toEqual([]);
  });

  it('shows the consent page accessibly, naming the application as unverified, the scopes in words and the resource', async () => {
    const tab = await onConsentPage();
    const text = (await tab.locator('main').textContent()) ?? '';
    expect(text).toContain('Allow Page test host to use your todos?');
    expect(text).toContain('Unverified application');
    expect(text).toContain('Read your todos');
    expect(text).toContain('Create, change and delete your todos');
    expect(text).toContain(`${ctx.base}/mcp`);
    expect(await seriousAccessibilityViolations(tab)).toEqual([]);
  });

  it('returns access_denied to the application when the person denies', async () => {
    const tab = await onConsentPage();
    const landed = callback.next();
    await tab.getByRole('button', { name: 'Deny' }).click();
    const params = await landed;
    expect(params.get('error')).toBe('access_denied');
    expect(params.get('state')).toBe('state-123');
    expect(params.get('iss')).toBe(ctx.base);
    expect(params.get('code')).toBeNull();
  });

  it('fits a phone-sized screen without sideways scrolling, even for the longest name a client may give', async () => {
    const tab = await onConsentPage('W'.repeat(200));
    await tab.setViewportSize({ width: 360, height: 640 });
    const widths = await tab.evaluate(() => {
      const { document, innerWidth } = globalThis as unknown as {
        document: { documentElement: { scrollWidth: number } };
        innerWidth: number;
      };
      return { content: document.documentElement.scrollWidth, screen: innerWidth };
    });
    expect(widths.content).toBeLessThanOrEqual(widths.screen);
  });

  it('shows the sign-up page and the error page for a bad request with no serious accessibility violation', async () => {
    const tab = await freshPage();
    await tab.goto(`${ctx.base}/oauth/sign-up`);
    expect(await seriousAccessibilityViolations(tab)).toEqual([]);
    const { clientId } = await registerClient(ctx.base, { redirect_uris: [callback.url] });
    const response = await tab.goto(
      authorizeUrl(ctx.base, {
        clientId,
        redirectUri: 'https://evil.example/cb',
        challenge: pkce().challenge,
        method: 'S256',
      }),
    );
    expect(response?.status()).toBe(400);
    expect(new URL(tab.url()).origin).toBe(ctx.base);
    expect(await seriousAccessibilityViolations(tab)).toEqual([]);
  });

  it('refuses to be framed by another site: the consent page never renders inside it', async () => {
    const tab = await onConsentPage();
    const consentUrl = tab.url();
    const framer = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(
        `<!doctype html><title>Framer</title><iframe src="${consentUrl}" width="600" height="600"></iframe>`,
      );
    });
    framer.listen(0, '127.0.0.1');
    await new Promise((resolve) => framer.once('listening', resolve));
    try {
      const attacker = await chromium.context.newPage();
      await attacker.goto(`http://127.0.0.1:${(framer.address() as AddressInfo).port}/`);
      // The main page's load waits for its frame, refused or not.
      await attacker.waitForLoadState('load');
      const frame = attacker.frames().find((candidate) => candidate !== attacker.mainFrame());
      const rendered = frame
        ? await frame
            .locator('button', { hasText: 'Allow' })
            .count()
            .catch(() => 0)
        : 0;
      expect(rendered).toBe(0);
      await attacker.close();
    } finally {
      framer.close();
    }
  });
});
