// Drives our authorization server over real HTTP as a host and a person would, without a
// browser: a cookie jar, the pages' forms (with their CSRF fields), and redirects read one
// at a time. The browser tests (test/browser) do the same through Chromium.
import { createHash, randomBytes } from 'node:crypto';
import { PASSWORD, type TestUser } from '../helpers.ts';

export const CALLBACK = 'http://127.0.0.1:8976/callback';

export function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface AuthorizeOptions {
  clientId: string;
  redirectUri?: string;
  challenge?: string | undefined;
  method?: string | undefined;
  state?: string;
  scope?: string;
  resource?: string | string[] | undefined;
  extra?: Record<string, string>;
}

export function authorizeUrl(base: string, options: AuthorizeOptions): string {
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: options.clientId,
    redirect_uri: options.redirectUri ?? CALLBACK,
    state: options.state ?? 'state-123',
    ...options.extra,
  });
  if (options.challenge !== undefined) query.set('code_challenge', options.challenge);
  if (options.method !== undefined) query.set('code_challenge_method', options.method);
  if (options.scope !== undefined) query.set('scope', options.scope);
  const resources = options.resource === undefined ? [`${base}/mcp`] : [options.resource].flat();
  for (const resource of resources) query.append('resource', resource);
  return `${base}/oauth/authorize?${query}`;
}

export async function registerClient(
  base: string,
  metadata: Record<string, unknown> = {},
): Promise<{ status: number; body: Record<string, unknown>; clientId: string }> {
  const res = await fetch(`${base}/oauth/register`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ client_name: 'Test host', redirect_uris: [CALLBACK], ...metadata }),
  });
  const body = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body, clientId: String(body.client_id) };
}

export async function postForm(
  url: string,
  fields: Record<string, string | string[]>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const form = new URLSearchParams();
  for (const [name, value] of Object.entries(fields))
    for (const item of [value].flat()) form.append(name, item);
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form,
  });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
    headers: res.headers,
  };
}

export const tokenRequest = (base: string, fields: Record<string, string | string[]>) =>
  postForm(`${base}/oauth/token`, fields);

/** A browser's cookie jar and its requests, one redirect at a time. */
export class Browser {
  readonly #cookies = new Map<string, string>();

  /** The Cookie header this browser sends. */
  cookieHeader(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  async request(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.#cookies.size > 0) headers.set('cookie', this.cookieHeader());
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const [name = '', value = ''] = pair.split('=');
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(line)) this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
    return res;
  }

  /** Drops a cookie, as a browser does with a session cookie when it restarts. */
  forget(name: string): void {
    this.#cookies.delete(name);
  }

  /** Submits the page's form at `action` with its hidden fields and `fields`. */
  async submit(pageUrl: string, page: string, action: string, fields: Record<string, string | string[]>) {
    const form = new URLSearchParams();
    for (const [name, value] of hiddenFields(page, action)) form.append(name, value);
    for (const [name, value] of Object.entries(fields))
      for (const item of [value].flat()) form.append(name, item);
    return this.request(new URL(action, pageUrl).href, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form,
    });
  }
}

const unescapeHtml = (value: string) =>
  value
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');

/** The hidden inputs of the form posting to `action`. */
export function hiddenFields(page: string, action: string): [string, string][] {
  const start = page.indexOf(`action="${action}"`);
  if (start === -1) throw new Error(`no form posts to ${action}`);
  const form = page.slice(start, page.indexOf('</form>', start));
  return [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map(
    (match) => [match[1] ?? '', unescapeHtml(match[2] ?? '')] as [string, string],
  );
}

export interface FlowResult {
  /** Where the last redirect pointed: the client's redirect URI with its parameters. */
  location: URL;
  browser: Browser;
}

/**
 * A person at a browser: follows the authorization request through sign-in (when needed)
 * and the consent page, choosing `decision`, until we redirect to the client.
 */
export async function authorizeAsPerson(
  startUrl: string,
  user: Pick<TestUser, 'username'>,
  options: { decision?: 'allow' | 'deny'; granted?: string[]; browser?: Browser } = {},
): Promise<FlowResult> {
  const browser = options.browser ?? new Browser();
  let url = startUrl;
  for (let step = 0; step < 10; step++) {
    const res = await browser.request(url);
    if (res.status === 303 || res.status === 302) {
      const next = new URL(res.headers.get('location') ?? '', url);
      if (next.origin !== new URL(startUrl).origin) return { location: next, browser };
      url = next.href;
      continue;
    }
    const page = await res.text();
    if (res.status !== 200) throw new Error(`unexpected ${res.status} at ${url}: ${page.slice(0, 300)}`);
    const answer = page.includes('action="/oauth/sign-in"')
      ? await browser.submit(url, page, '/oauth/sign-in', { username: user.username, password: PASSWORD })
      : await browser.submit(url, page, '/oauth/consent', {
          decision: options.decision ?? 'allow',
          granted: options.granted ?? ['todos:read', 'todos:write'],
        });
    if (answer.status !== 303)
      throw new Error(`form answered ${answer.status}: ${(await answer.text()).slice(0, 300)}`);
    const next = new URL(answer.headers.get('location') ?? '', url);
    if (next.origin !== new URL(startUrl).origin) return { location: next, browser };
    url = next.href;
  }
  throw new Error('too many redirects');
}

/** Registers a client, authorizes it as `user` and exchanges the code: a full grant's tokens. */
export async function grantTokens(
  base: string,
  user: Pick<TestUser, 'username'>,
  options: { scope?: string; resource?: string | string[]; clientId?: string } = {},
) {
  const clientId = options.clientId ?? (await registerClient(base)).clientId;
  const { verifier, challenge } = pkce();
  const { location } = await authorizeAsPerson(
    authorizeUrl(base, {
      clientId,
      challenge,
      method: 'S256',
      scope: options.scope ?? 'todos:read todos:write',
      resource: options.resource,
    }),
    user,
  );
  const code = location.searchParams.get('code');
  if (!code) throw new Error(`no code: ${location.href}`);
  const exchanged = await tokenRequest(base, {
    grant_type: 'authorization_code',
    client_id: clientId,
    code,
    redirect_uri: CALLBACK,
    code_verifier: verifier,
  });
  if (exchanged.status !== 200) throw new Error(`exchange failed: ${JSON.stringify(exchanged.body)}`);
  return {
    clientId,
    accessToken: String(exchanged.body.access_token),
    refreshToken: String(exchanged.body.refresh_token),
    body: exchanged.body,
  };
}

/** The claims of a JWT, unverified: what a client could read from its token. */
export const payloadOf = (jwt: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

/** The status of one authenticated request with `token` on each interface (200 when accepted). */
export async function statusOn(base: string, token: string): Promise<{ api: number; mcp: number }> {
  const api = await fetch(`${base}/api/todos`, { headers: { authorization: `Bearer ${token}` } });
  const mcp = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'probe', version: '1' },
      },
    }),
  });
  await mcp.body?.cancel();
  return { api: api.status, mcp: mcp.status };
}
