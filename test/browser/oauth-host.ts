// A host's side of OAuth for the SDK client: its OAuthClientProvider, a loopback callback
// server the browser is sent back to, and the browser step in Chromium.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  OAuthClientMetadata,
  OAuthClientProvider,
  OAuthDiscoveryState,
  StoredOAuthClientInformation,
  StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { BrowserContext, Page } from 'playwright-core';
import { STEP_TIMEOUT_MS, signInOnPage } from './chromium.ts';

/** A loopback HTTP server that records each callback the browser lands on. */
export class CallbackServer {
  readonly #server: Server;
  readonly #waiting: ((params: URLSearchParams) => void)[] = [];
  url = '';

  private constructor(server: Server) {
    this.#server = server;
  }

  static async start(): Promise<CallbackServer> {
    const server = createServer();
    const callback = new CallbackServer(server);
    server.on('request', (req, res) => {
      const url = new URL(req.url ?? '/', callback.url);
      if (url.pathname === '/callback') {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<!doctype html><link rel="icon" href="data:,"><title>Done</title><p>You can close this window.</p>',
          );
        for (const resolve of callback.#waiting.splice(0)) resolve(url.searchParams);
        return;
      }
      res.writeHead(404).end();
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    callback.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/callback`;
    return callback;
  }

  /** The parameters of the next callback. */
  next(): Promise<URLSearchParams> {
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  async close(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise((resolve) => this.#server.close(resolve));
  }
}

/** What the person does on our pages once the host has opened the authorization URL. */
export type PersonAtBrowser = (page: Page) => Promise<void>;

export const allowAs =
  (username: string): PersonAtBrowser =>
  async (page) => {
    if (page.url().includes('/oauth/sign-in')) await signInOnPage(page, username);
    await page.waitForURL(/\/oauth\/consent/);
    await page.getByRole('button', { name: 'Allow' }).click();
  };

/**
 * An in-memory OAuthClientProvider like a host keeps: it registers by DCR, or names itself
 * by a metadata document URL, and opens the authorization URL in Chromium.
 */
export class BrowserOAuthProvider implements OAuthClientProvider {
  clientMetadataUrl?: string;
  readonly callback: CallbackServer;
  #browser: BrowserContext;
  #client: StoredOAuthClientInformation | undefined;
  #tokens: StoredOAuthTokens | undefined;
  #verifier = '';
  #discovery: OAuthDiscoveryState | undefined;
  /** What the person does when the browser opens; undefined: the host must not need a browser. */
  person: PersonAtBrowser | undefined;
  /** The callback of the last authorization, for transport.finishAuth. */
  lastCallback: URLSearchParams | undefined;
  redirects = 0;

  constructor(options: { browser: BrowserContext; callback: CallbackServer; clientMetadataUrl?: string }) {
    this.#browser = options.browser;
    this.callback = options.callback;
    if (options.clientMetadataUrl) this.clientMetadataUrl = options.clientMetadataUrl;
  }

  get redirectUrl(): string {
    return this.callback.url;
  }

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: 'SDK test host',
      redirect_uris: [this.callback.url],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.#client;
  }
  saveClientInformation(info: StoredOAuthClientInformation) {
    this.#client = info;
  }
  tokens() {
    return this.#tokens;
  }
  saveTokens(tokens: StoredOAuthTokens) {
    this.#tokens = tokens;
  }
  saveCodeVerifier(verifier: string) {
    this.#verifier = verifier;
  }
  codeVerifier() {
    return this.#verifier;
  }
  saveDiscoveryState(state: OAuthDiscoveryState) {
    this.#discovery = state;
  }
  discoveryState() {
    return this.#discovery;
  }
  invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery') {
    if (scope === 'all' || scope === 'tokens') this.#tokens = undefined;
    if (scope === 'all' || scope === 'client') this.#client = undefined;
  }

  /** Breaks the stored access token (as if it expired), keeping the refresh token. */
  spoilAccessToken(): void {
    if (this.#tokens) this.#tokens = { ...this.#tokens, access_token: 'expired.not.valid' };
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    this.redirects++;
    if (!this.person) return;
    const page = await this.#browser.newPage();
    try {
      const landed = this.callback.next();
      await page.goto(authorizationUrl.href);
      await this.person(page);
      const stuck = new Promise<never>((_, reject) => {
        setTimeout(
          () => reject(new Error(`no callback; the browser is at ${page.url()}`)),
          STEP_TIMEOUT_MS,
        ).unref();
      });
      this.lastCallback = await Promise.race([landed, stuck]);
      // Closing a page whose navigation to the callback has only just committed hung Chromium's
      // close for a minute now and then (seen about one run in five): let it finish loading first.
      await page.waitForLoadState('load');
    } finally {
      await page.close();
    }
  }
}
