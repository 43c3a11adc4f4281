// How /api knows who is calling: a bearer token in the Authorization header (RFC 6750 §2.1;
// a token in the query string is ignored, because URLs end up in logs and browser history),
// or, for our own web app, the session cookie of our pages. A browser attaches that cookie to
// a request whatever page made it, so a write the cookie authenticates must also prove that
// our page made it (see fromOurPage). A request with an Authorization header is judged by
// that header alone: bearer clients work exactly as before, cookie or not.
import type { Request, RequestHandler, Response } from 'express';
import { bearerToken } from '../http/bearer-token.ts';
import { problemType, sendProblem } from '../http/problem.ts';
import { sameText } from '../pages/csrf.ts';
import type { WebSessionCookie } from '../pages/web-session.ts';
import type { Via } from '../repositories/types.ts';
import type { Scope } from '../services/auth-schemas.ts';
import type { AuthService, Principal } from '../services/auth-service.ts';
import { ForbiddenError, UnauthorizedError } from '../services/errors.ts';

/** A guard for a route: the caller must be signed in, and hold `scope` when one is named. */
export type Authenticate = (scope?: Scope) => RequestHandler;

export interface ApiAuthenticationDeps {
  auth: AuthService;
  /** The web app's session cookie; without it, /api accepts bearer tokens only. */
  session?: WebSessionCookie | undefined;
  publicUrl: string;
}

/** The header in which the web app repeats its session's request token on every write. */
export const CSRF_HEADER = 'X-CSRF-Token';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function apiAuthentication(deps: ApiAuthenticationDeps): Authenticate {
  const ourOrigin = new URL(deps.publicUrl).origin;
  const { session } = deps;

  /**
   * A cookie-authenticated write is refused unless all of these hold, each of which another
   * site cannot arrange: the session's request token in X-CSRF-Token (only our page, which
   * the server renders for that session, knows it; a custom header also forces a CORS
   * preflight, which our policy never answers with credentials); the Origin header, which
   * browsers send with every write, is ours; and Sec-Fetch-Site, when sent, is same-origin.
   */
  const fromOurPage = (req: Request, sessionToken: string): boolean => {
    const token = req.get(CSRF_HEADER);
    const site = req.get('sec-fetch-site');
    return (
      token !== undefined &&
      session !== undefined &&
      sameText(token, session.requestToken(sessionToken)) &&
      req.get('origin') === ourOrigin &&
      (site === undefined || site === 'same-origin')
    );
  };

  return (scope) => async (req, res, next) => {
    const header = req.get('authorization');
    if (header !== undefined || session === undefined) {
      const token = bearerToken(header);
      if (token === undefined)
        throw new UnauthorizedError('Send an access token as "Authorization: Bearer <token>".');
      req.principal = await deps.auth.authenticate(token, 'api');
      req.credential = { kind: 'bearer', token };
    } else {
      const found = await session.authenticate(req);
      if (!found) {
        throw new UnauthorizedError(
          session.read(req) === undefined
            ? 'Send an access token as "Authorization: Bearer <token>".'
            : 'Your session has ended: sign in again.',
        );
      }
      if (!SAFE_METHODS.has(req.method) && !fromOurPage(req, found.token)) {
        refuseCrossSite(res);
        return;
      }
      req.principal = found.principal;
      req.credential = { kind: 'session', token: found.token };
    }
    if (scope && !req.principal.scopes.includes(scope)) {
      throw new ForbiddenError(`This needs the ${scope} scope, which your token does not grant.`, scope);
    }
    next();
  };
}

function refuseCrossSite(res: Response): void {
  sendProblem(res, {
    type: problemType('cross-site-request'),
    title: 'This request did not come from our web app.',
    status: 403,
    detail: `A write signed in by the session cookie needs our web app's ${CSRF_HEADER} header and Origin. Reload the page and try again.`,
  });
}

/** The authenticated caller; the guard runs before every handler that asks. */
export function principalOf(req: Request): Principal {
  if (!req.principal) throw new Error('an /api route was reached without authentication');
  return req.principal;
}

/** The interface a write came through: the web app (its session cookie) or the API (a bearer token). */
export const viaOf = (req: Request): Via => (req.credential?.kind === 'session' ? 'web' : 'api');
