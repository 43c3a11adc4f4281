import type { RequestHandler, Response } from 'express';
import type { StartedSession, WebSessionService } from '../services/web-session-service.ts';
import { type CookiePolicy, clearCookie, readCookie, writeCookie } from './cookies.ts';

/** The session cookie of our pages: who is signed in, for the sign-in, consent and later web pages. */
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
    const token = readCookie(req, this.#name);
    const principal = token === undefined ? undefined : await this.#sessions.principal(token);
    if (principal) req.webPrincipal = principal;
    next();
  };

  start(res: Response, session: StartedSession): void {
    writeCookie(res, this.#policy, this.#name, session.token, session.expiresAt - Date.now());
  }

  async end(token: string | undefined, res: Response): Promise<void> {
    if (token !== undefined) await this.#sessions.signOut(token);
    clearCookie(res, this.#policy, this.#name);
  }

  read(req: Parameters<RequestHandler>[0]): string | undefined {
    return readCookie(req, this.#name);
  }
}
