import { createHmac } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Principal } from '../services/auth-service.ts';
import type { StartedSession, WebSessionService } from '../services/web-session-service.ts';
import { type CookiePolicy, clearCookie, readCookie, writeCookie } from './cookies.ts';

/** A request's live session: the cookie's value and the person it signs in. */
export interface SessionCredential {
  token: string;
  principal: Principal;
}

/** The session cookie of our pages: who is signed in, for the sign-in, consent and web app pages. */
export class WebSessionCookie {
  readonly #sessions: WebSessionService;
  readonly #policy: CookiePolicy;
  readonly #name: string;

  constructor(sessions: WebSessionService, policy: CookiePolicy) {
    this.#sessions = sessions;
    this.#policy = policy;
    this.#name = policy.name('todos_session');
  }

  /** Sets `req.webPrincipal` when the request carries a live session. */
  readonly load: RequestHandler = async (req, _res, next) => {
    const session = await this.authenticate(req);
    if (session) req.webPrincipal = session.principal;
    next();
  };

  /** The live session the request's cookie names; undefined without a cookie, or when it ended. */
  async authenticate(req: Request): Promise<SessionCredential | undefined> {
    const token = readCookie(req, this.#name);
    const principal = token === undefined ? undefined : await this.#sessions.principal(token);
    return token === undefined || principal === undefined ? undefined : { token, principal };
  }

  /**
   * What the web app sends in a header with every write it makes with this session: an HMAC
   * keyed by the session's own secret, so it is good for this session only, needs no storage,
   * and cannot be computed by a page that cannot read the (HttpOnly) cookie.
   */
  requestToken(sessionToken: string): string {
    return createHmac('sha256', sessionToken).update('todos web app requests').digest('base64url');
  }

  start(res: Response, session: StartedSession): void {
    writeCookie(res, this.#policy, this.#name, session.token, session.expiresAt - Date.now());
  }

  async end(token: string | undefined, res: Response): Promise<void> {
    if (token !== undefined) await this.#sessions.signOut(token);
    clearCookie(res, this.#policy, this.#name);
  }

  read(req: Request): string | undefined {
    return readCookie(req, this.#name);
  }
}
