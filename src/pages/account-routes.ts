import express, { type Request, type Response, Router } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import { registerSchema } from '../services/auth-schemas.ts';
import { ConflictError, RateLimitedError, UnauthorizedError } from '../services/errors.ts';
import type { WebSessionService } from '../services/web-session-service.ts';
import {
  type AccountFormState,
  expiredFormPage,
  SIGN_IN_PATH,
  SIGN_OUT_PATH,
  SIGN_UP_PATH,
  signedInPage,
  signInPage,
  signUpPage,
} from './account-pages.ts';
import type { CsrfGuard } from './csrf.ts';
import { setPageHeaders } from './page-security.ts';
import { returnToRedirectUri, safeReturnTo } from './return-to.ts';
import type { WebSessionCookie } from './web-session.ts';

export interface AccountRoutesDeps {
  sessions: WebSessionService;
  cookie: WebSessionCookie;
  csrf: CsrfGuard;
  /** Open streams, so that those of a session end when it is signed out. */
  connections?: LiveConnections | undefined;
}

// Forms are small: a username, a password and two hidden fields.
export const formBody = express.urlencoded({ extended: false, limit: '16kb', parameterLimit: 50 });

const field = (req: Request, name: string): string => {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
};

/** Sign-in, account creation and sign-out pages, reusable by any page that needs a person. */
export function accountRoutes(deps: AccountRoutesDeps): Router {
  const router = Router();
  const refuse = (_req: Request, res: Response) => {
    setPageHeaders(res);
    res.status(403).send(expiredFormPage());
  };

  const show = (
    res: Response,
    status: number,
    page: (state: AccountFormState) => string,
    state: AccountFormState,
  ) => {
    // The form's redirect chain may end at the application the person is signing in for.
    const target = returnToRedirectUri(state.returnTo);
    setPageHeaders(res, target === undefined ? [] : [target]);
    res.status(status).send(page(state));
  };

  router.get(SIGN_IN_PATH, deps.cookie.load, (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to, SIGN_IN_PATH);
    if (req.webPrincipal && returnTo !== SIGN_IN_PATH) return res.redirect(303, returnTo);
    const csrfToken = deps.csrf.token(req, res);
    if (req.webPrincipal) {
      setPageHeaders(res);
      return res.send(signedInPage(req.webPrincipal.username, csrfToken));
    }
    show(res, 200, signInPage, { csrfToken, returnTo });
  });

  router.post(SIGN_IN_PATH, formBody, deps.csrf.check(refuse), async (req, res) => {
    const returnTo = safeReturnTo(field(req, 'return_to'), SIGN_IN_PATH);
    const username = field(req, 'username').slice(0, 64);
    const password = field(req, 'password').slice(0, 256);
    const state = { csrfToken: deps.csrf.token(req, res), returnTo, username };
    if (username === '' || password === '') {
      return show(res, 400, signInPage, {
        ...state,
        errors: {
          username: username === '' ? 'Enter your username.' : undefined,
          password: password === '' ? 'Enter your password.' : undefined,
        },
      });
    }
    try {
      deps.cookie.start(res, await deps.sessions.signIn({ username, password }, req.ip ?? 'unknown'));
    } catch (error) {
      if (error instanceof UnauthorizedError) {
        return show(res, 401, signInPage, { ...state, errors: { password: error.message } });
      }
      if (error instanceof RateLimitedError) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        return show(res, 429, signInPage, { ...state, errors: { form: error.message } });
      }
      throw error;
    }
    res.redirect(303, returnTo);
  });

  router.get(SIGN_UP_PATH, (req, res) => {
    const returnTo = safeReturnTo(req.query.return_to, SIGN_IN_PATH);
    show(res, 200, signUpPage, { csrfToken: deps.csrf.token(req, res), returnTo });
  });

  router.post(SIGN_UP_PATH, formBody, deps.csrf.check(refuse), async (req, res) => {
    const returnTo = safeReturnTo(field(req, 'return_to'), SIGN_IN_PATH);
    const input = { username: field(req, 'username').slice(0, 100), password: field(req, 'password') };
    const state = { csrfToken: deps.csrf.token(req, res), returnTo, username: input.username };
    // The same rules as POST /api/auth/register, each message beside its field.
    const parsed = registerSchema.safeParse(input);
    if (!parsed.success) {
      const messageFor = (name: string) => {
        const issue = parsed.error.issues.find((entry) => entry.path[0] === name);
        return issue && `${name === 'username' ? 'The username' : 'The password'} ${issue.message}.`;
      };
      return show(res, 400, signUpPage, {
        ...state,
        errors: { username: messageFor('username'), password: messageFor('password') },
      });
    }
    try {
      deps.cookie.start(res, await deps.sessions.signUp(parsed.data, req.ip ?? 'unknown'));
    } catch (error) {
      if (error instanceof ConflictError) {
        return show(res, 409, signUpPage, { ...state, errors: { username: 'This username is taken.' } });
      }
      if (error instanceof RateLimitedError) {
        res.setHeader('Retry-After', String(error.retryAfterSeconds));
        return show(res, 429, signUpPage, { ...state, errors: { form: error.message } });
      }
      throw error;
    }
    res.redirect(303, returnTo);
  });

  router.post(SIGN_OUT_PATH, formBody, deps.csrf.check(refuse), deps.cookie.load, async (req, res) => {
    await deps.cookie.end(deps.cookie.read(req), res);
    // The web app's event streams opened with this session end now, not at the next heartbeat.
    if (req.webPrincipal) await deps.connections?.recheck(req.webPrincipal.userId);
    const returnTo = safeReturnTo(field(req, 'return_to'), SIGN_IN_PATH);
    res.redirect(
      303,
      returnTo === SIGN_IN_PATH
        ? SIGN_IN_PATH
        : `${SIGN_IN_PATH}?${new URLSearchParams({ return_to: returnTo })}`,
    );
  });

  return router;
}
