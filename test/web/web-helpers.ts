// A browser signed in to the web app over plain HTTP: the shared sign-in page, then the app
// page with the session's request token, and /api called the way the page calls it.
import { PASSWORD } from '../helpers.ts';
import { Browser } from '../oauth/oauth-helpers.ts';

export interface WebSession {
  base: string;
  browser: Browser;
  /** The app page as served to this session. */
  page: string;
  /** The session's request token, which the page sends in X-CSRF-Token. */
  requestToken: string;
}

/** Signs in on /oauth/sign-in with return_to=/ and loads the app page, as a browser does. */
export async function signInOnWeb(base: string, username: string): Promise<WebSession> {
  const browser = new Browser();
  const url = `${base}/oauth/sign-in?return_to=%2F`;
  const form = await (await browser.request(url)).text();
  const signedIn = await browser.submit(url, form, '/oauth/sign-in', { username, password: PASSWORD });
  if (signedIn.status !== 303 || signedIn.headers.get('location') !== '/')
    throw new Error(`sign-in: ${signedIn.status} to ${signedIn.headers.get('location')}`);
  const app = await browser.request(`${base}/`, { headers: { accept: 'text/html' } });
  const page = await app.text();
  const requestToken = /data-request-token="([^"]+)"/.exec(page)?.[1];
  if (app.status !== 200 || requestToken === undefined) throw new Error(`app page: ${app.status}`);
  return { base, browser, page, requestToken };
}

/**
 * Calls /api as the page does: the session cookie, our Origin, Sec-Fetch-Site and the request
 * token on writes. `headers` overrides any of them (an undefined value leaves it out).
 */
export function webApi(
  session: WebSession,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string | undefined> } = {},
): Promise<Response> {
  const defaults: Record<string, string | undefined> = {
    accept: 'application/json',
    origin: session.base,
    'sec-fetch-site': 'same-origin',
    'x-csrf-token': method === 'GET' ? undefined : session.requestToken,
    ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
    ...options.headers,
  };
  const headers = Object.fromEntries(
    Object.entries(defaults).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  return session.browser.request(`${session.base}/api${path}`, {
    method,
    headers,
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
}

/** Posts the app page's sign-out form. */
export function signOutOnWeb(session: WebSession): Promise<Response> {
  return session.browser.submit(`${session.base}/`, session.page, '/oauth/sign-out', {});
}
