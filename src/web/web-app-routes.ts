// The web app at `/`: one page for people, served to a signed-in browser, that uses /api with
// the session cookie of our pages (see api/authenticate.ts for how those requests are
// trusted). Signing in and creating an account are the authorization server's own pages,
// which send the person back here.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { SIGN_IN_PATH } from '../pages/account-pages.ts';
import type { CsrfGuard } from '../pages/csrf.ts';
import type { WebSessionCookie } from '../pages/web-session.ts';
import { appPage, setAppHeaders } from './app-page.ts';

export interface WebAppDeps {
  cookie: WebSessionCookie;
  csrf: CsrfGuard;
  publicUrl: string;
}

export const ASSETS_PATH = '/app';
const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
// The files the page loads, listed once at start: nothing else under /app can be asked for.
const ASSETS = new Set(readdirSync(CLIENT_DIR).filter((name) => /^[a-z-]+\.(js|css|svg)$/.test(name)));

export function webAppRoutes(deps: WebAppDeps): Router {
  const router = Router();

  router.get('/', async (req, res, next) => {
    res.vary('Accept');
    // Only a browser asks for HTML before JSON: curl (`*/*`), scripts and JSON clients keep
    // the signpost that tells them where the API, its reference and /mcp are (http/signposts.ts).
    if (req.accepts(['json', 'html']) !== 'html') return next();
    const session = await deps.cookie.authenticate(req);
    if (!session) return res.redirect(303, `${SIGN_IN_PATH}?${new URLSearchParams({ return_to: '/' })}`);
    setAppHeaders(res);
    res.send(
      appPage({
        username: session.principal.username,
        requestToken: deps.cookie.requestToken(session.token),
        formToken: deps.csrf.token(req, res),
        mcpUrl: `${deps.publicUrl}/mcp`,
        apiUrl: `${deps.publicUrl}/api`,
      }),
    );
  });

  router.get(`${ASSETS_PATH}/:file`, (req, res, next) => {
    const file = String(req.params.file);
    if (!ASSETS.has(file)) return next();
    // Revalidated by ETag: a new version of the app is picked up on the next load.
    res.sendFile(file, { root: CLIENT_DIR, headers: { 'Cache-Control': 'no-cache' } });
  });

  return router;
}
