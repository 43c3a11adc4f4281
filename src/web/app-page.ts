// The web app's one page: a static shell (app-shell.html) with the few values of the session
// it is served to, escaped; the scripts in client/ do the rest through /api.
import { readFileSync } from 'node:fs';
import type { Response } from 'express';
import { escapeHtml } from '../pages/html.ts';

export interface AppPageValues {
  username: string;
  /** The session's request token, which the page sends in X-CSRF-Token with every write. */
  requestToken: string;
  /** The sign-out form's CSRF token (the pages' double-submit cookie). */
  formToken: string;
  /** The MCP endpoint and the API, as agents must name them (PUBLIC_URL's). */
  mcpUrl: string;
  apiUrl: string;
}

const SHELL = readFileSync(new URL('./app-shell.html', import.meta.url), 'utf8');
const PLACEHOLDER = /\{\{(\w+)\}\}/g;

/** The page for one session; every value is escaped for an attribute or text. */
export function appPage(values: AppPageValues): string {
  return SHELL.replace(PLACEHOLDER, (_match, name: string) => {
    if (!Object.hasOwn(values, name)) throw new Error(`app-shell.html names an unknown value: ${name}`);
    return escapeHtml(values[name as keyof AppPageValues]);
  });
}

/**
 * The page's Content-Security-Policy, replacing the API's `default-src 'none'`: scripts,
 * styles and requests to this origin only, no inline script or style, no eval, no framing,
 * and forms (sign-out) that post only to us. `same-origin` referrers rather than the API's
 * `no-referrer`, under which browsers send `Origin: null` with the page's own writes, and
 * the API needs to see our origin there.
 */
export function setAppHeaders(res: Response): void {
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "img-src 'self'",
      "connect-src 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
  );
  res.setHeader('Referrer-Policy', 'same-origin');
  res.type('html');
}
