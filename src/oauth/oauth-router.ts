// The authorization server and the pages people see from us, mounted in the same app as /api
// and /mcp: metadata, sign-in, consent, and the protocol endpoints.
import { readFileSync } from 'node:fs';
import { type ErrorRequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import type { OAuthServices } from '../compose.ts';
import type { LiveConnections } from '../http/live-connections.ts';
import { expiredFormPage } from '../pages/account-pages.ts';
import { accountRoutes } from '../pages/account-routes.ts';
import type { CsrfGuard } from '../pages/csrf.ts';
import { html } from '../pages/html.ts';
import { layout, STYLESHEET_PATH, THEME_PATH } from '../pages/layout.ts';
import { setPageHeaders } from '../pages/page-security.ts';
import type { WebSessionCookie } from '../pages/web-session.ts';
import { UnavailableError } from '../services/errors.ts';
import type { WebSessionService } from '../services/web-session-service.ts';
import { authorizationRoutes } from './authorization-routes.ts';
import { authorizationServerMetadata } from './authorization-server-metadata.ts';
import { oauthErrorHandler, sendOAuthError } from './oauth-error-response.ts';
import { REGISTRATION_PATH, registrationRoute } from './registration-route.ts';
import { REVOCATION_PATH, TOKEN_PATH, tokenRoutes } from './token-routes.ts';

export interface OAuthEdgeDeps {
  oauth: OAuthServices;
  webSessions: WebSessionService;
  /** Our pages' session cookie and form guard, shared with the web app. */
  cookie: WebSessionCookie;
  csrf: CsrfGuard;
  /** Open streams, which a sign-out ends at once. */
  connections?: LiveConnections | undefined;
  publicUrl: string;
  logger: Logger;
}

const STYLESHEETS = {
  [THEME_PATH]: readFileSync(new URL('../pages/theme.css', import.meta.url), 'utf8'),
  [STYLESHEET_PATH]: readFileSync(new URL('../pages/pages.css', import.meta.url), 'utf8'),
};

export function oauthRouter(deps: OAuthEdgeDeps): Router {
  const router = Router();
  const issuer = deps.publicUrl;
  const { cookie, csrf } = deps;

  // RFC 8414 §3: the well-known path, with the issuer's path (if any) appended.
  const metadata = authorizationServerMetadata(issuer);
  const issuerPath = new URL(issuer).pathname.replace(/\/$/, '');
  router.get(`/.well-known/oauth-authorization-server${issuerPath}`, (_req, res) => {
    res.json(metadata);
  });

  for (const [path, stylesheet] of Object.entries(STYLESHEETS)) {
    router.get(path, (_req, res) => {
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.type('text/css').send(stylesheet);
    });
  }

  const pages = Router();
  pages.use(accountRoutes({ sessions: deps.webSessions, cookie, csrf, connections: deps.connections }));
  pages.use(
    authorizationRoutes({
      authorization: deps.oauth.authorization,
      cookie,
      csrf,
      issuer,
      resourceUrls: { mcp: `${deps.publicUrl}/mcp`, api: `${deps.publicUrl}/api` },
    }),
  );
  pages.use(pageErrors(deps.logger));

  const protocol = Router();
  protocol.use(registrationRoute(deps.oauth.clients));
  protocol.use(tokenRoutes(deps.oauth.tokens));
  // Other methods on the protocol endpoints still get an OAuth error, not problem+json.
  protocol.all([REGISTRATION_PATH, TOKEN_PATH, REVOCATION_PATH], (_req, res) => {
    res.setHeader('Allow', 'POST');
    sendOAuthError(res, 405, 'invalid_request', 'Use POST.');
  });
  protocol.use(oauthErrorHandler(deps.logger));

  router.use(pages, protocol);
  return router;
}

/** Failures on a page answer with a page: a malformed form is refused, anything else is a logged 500. */
function pageErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, next) => {
    if (res.headersSent) return next(error);
    setPageHeaders(res);
    const status = (error as { status?: unknown }).status;
    if ((error as { expose?: unknown }).expose === true && typeof status === 'number' && status < 500) {
      res.status(400).send(expiredFormPage());
      return;
    }
    if (error instanceof UnavailableError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      res
        .status(503)
        .send(
          layout(
            'Try again in a moment',
            html`<h1>Try again in a moment</h1><p>We cannot save anything right now. Nothing was changed; please try again in a few seconds.</p>`,
          ),
        );
      return;
    }
    logger.error({ reqId: req.requestId, errorName: (error as Error)?.name }, 'page failed');
    res
      .status(500)
      .send(
        layout(
          'Something went wrong',
          html`<h1>Something went wrong</h1><p>Please try again. If it keeps happening, quote request id ${req.requestId}.</p>`,
        ),
      );
  };
}
