// The authorization endpoint and the consent page (RFC 6749 §4.1.1-4.1.2). Errors before the
// client and its redirect URI are established are shown to the person, never redirected;
// errors after that go back to the client, with `state` and `iss`.
import { type Request, type Response, Router } from 'express';
import { SIGN_IN_PATH } from '../pages/account-pages.ts';
import { formBody } from '../pages/account-routes.ts';
import type { CsrfGuard } from '../pages/csrf.ts';
import { setPageHeaders } from '../pages/page-security.ts';
import type { WebSessionCookie } from '../pages/web-session.ts';
import type { Scope } from '../services/auth-schemas.ts';
import { QuotaExceededError } from '../services/errors.ts';
import type {
  AuthorizationRequest,
  AuthorizationService,
  ClientRedirect,
} from '../services/oauth/authorization-service.ts';
import { OAuthRequestError } from '../services/oauth/oauth-errors.ts';
import { isLoopbackRedirectUri } from '../services/oauth/redirect-uris.ts';
import { toScopes } from '../services/oauth/resources.ts';
import { authorizationQuery, readAuthorizationParams, refuseRepeated } from './authorization-params.ts';
import { redirectToClient } from './authorization-response.ts';
import { authorizationErrorPage, CONSENT_PATH, consentPage } from './oauth-pages.ts';

export const AUTHORIZE_PATH = '/oauth/authorize';

export interface AuthorizationRoutesDeps {
  authorization: AuthorizationService;
  cookie: WebSessionCookie;
  csrf: CsrfGuard;
  issuer: string;
  resourceUrls: Record<string, string>;
}

type Checked = { ok: true; request: AuthorizationRequest; query: string } | { ok: false };

export function authorizationRoutes(deps: AuthorizationRoutesDeps): Router {
  const router = Router();

  /** Runs every check on the parameters, answering the errors itself; ok when the request stands. */
  const check = async (source: Record<string, unknown>, res: Response): Promise<Checked> => {
    const read = readAuthorizationParams(source);
    let target: ClientRedirect;
    try {
      refuseRepeated(read, 'target');
      target = await deps.authorization.resolveClient(read.params);
    } catch (error) {
      if (!(error instanceof OAuthRequestError)) throw error;
      setPageHeaders(res);
      res.status(400).send(authorizationErrorPage(error.description));
      return { ok: false };
    }
    try {
      refuseRepeated(read, 'rest');
      const request = deps.authorization.validate(target, read.params);
      return { ok: true, request, query: authorizationQuery(read.params) };
    } catch (error) {
      if (!(error instanceof OAuthRequestError)) throw error;
      const back = redirectToClient(target, deps.issuer, { error });
      // RFC 9700 §4.11.2: registration is open, so a registered https redirect may be anyone's
      // site, and a request made to fail at once would turn our URL into a link there. The
      // error goes back only when the person chooses to follow it; a loopback redirect cannot
      // lead to another site, and the program waiting there gets it at once.
      if (isLoopbackRedirectUri(target.redirectUri)) {
        res.redirect(303, back);
      } else {
        setPageHeaders(res);
        res.status(400).send(authorizationErrorPage(error.description, back));
      }
      return { ok: false };
    }
  };

  /**
   * What a consent form's token is bound to: the session that saw the page and the request
   * it showed, rebuilt the same way from the page's query and from the form's fields.
   */
  const consentBinding = (req: Request, source: Record<string, unknown>) =>
    `consent\n${req.webPrincipal?.tokenId ?? ''}\n${authorizationQuery(readAuthorizationParams(source).params)}`;

  const toSignIn = (res: Response, returnTo: string) =>
    res.redirect(303, `${SIGN_IN_PATH}?${new URLSearchParams({ return_to: returnTo })}`);

  const issueCode = async (
    userId: string,
    res: Response,
    { request, query }: { request: AuthorizationRequest; query: string },
    scopes: Scope[],
  ) => {
    try {
      const code = await deps.authorization.approve(userId, request, scopes);
      res.redirect(303, redirectToClient(request, deps.issuer, { code }));
    } catch (error) {
      // The person is here and can make room: the consent page tells them how. The client is
      // told nothing yet, so the flow goes on once they have disconnected an app.
      if (error instanceof QuotaExceededError) return res.redirect(303, `${CONSENT_PATH}?${query}`);
      if (!(error instanceof OAuthRequestError)) throw error;
      res.redirect(303, redirectToClient(request, deps.issuer, { error }));
    }
  };

  /** Why the person cannot allow another app now, or undefined when they can. */
  const noRoom = (userId: string): Promise<string | undefined> =>
    deps.authorization.assertRoomForGrant(userId).then(
      () => undefined,
      (error: unknown) => {
        if (error instanceof QuotaExceededError) return error.message;
        throw error;
      },
    );

  router.get(AUTHORIZE_PATH, deps.cookie.load, async (req, res) => {
    const checked = await check(req.query, res);
    if (!checked.ok) return;
    const { request, query } = checked;
    if (!req.webPrincipal) return toSignIn(res, `${AUTHORIZE_PATH}?${query}`);
    if (await deps.authorization.isRemembered(req.webPrincipal.userId, request)) {
      return issueCode(req.webPrincipal.userId, res, checked, request.scopes);
    }
    res.redirect(303, `${CONSENT_PATH}?${query}`);
  });

  router.get(CONSENT_PATH, deps.cookie.load, async (req, res) => {
    const checked = await check(req.query, res);
    if (!checked.ok) return;
    const consentUrl = `${CONSENT_PATH}?${checked.query}`;
    if (!req.webPrincipal) return toSignIn(res, consentUrl);
    setPageHeaders(res, [checked.request.redirectUri]);
    res.send(
      consentPage({
        request: checked.request,
        hiddenParams: [...new URLSearchParams(checked.query)],
        principal: req.webPrincipal,
        csrfToken: deps.csrf.token(req, res),
        consentToken: deps.csrf.token(req, res, consentBinding(req, req.query)),
        resourceUrls: deps.resourceUrls,
        consentUrl,
        noRoom: await noRoom(req.webPrincipal.userId),
      }),
    );
  });

  const refuseForm = (_req: Request, res: Response) => {
    setPageHeaders(res);
    res
      .status(403)
      .send(
        authorizationErrorPage(
          'The form expired or was sent from another site. Start again from the application.',
        ),
      );
  };

  const consentForm = deps.csrf.check(refuseForm, (req) =>
    consentBinding(req, req.body as Record<string, unknown>),
  );

  router.post(CONSENT_PATH, formBody, deps.cookie.load, consentForm, async (req, res) => {
    const body = req.body as Record<string, unknown>;
    const checked = await check(body, res);
    if (!checked.ok) return;
    const { request } = checked;
    if (!req.webPrincipal) return toSignIn(res, `${CONSENT_PATH}?${checked.query}`);
    if (body.decision !== 'allow') {
      const error = new OAuthRequestError('access_denied', 'The person denied the request.');
      return res.redirect(303, redirectToClient(request, deps.issuer, { error }));
    }
    const granted = Array.isArray(body.granted) ? body.granted : [body.granted];
    const scopes = toScopes(granted.filter((item) => typeof item === 'string'));
    await issueCode(req.webPrincipal.userId, res, checked, scopes);
  });

  return router;
}
