import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { type CookiePolicy, readCookie, writeCookie } from './cookies.ts';

/**
 * CSRF protection for every form: a random token in an HttpOnly, SameSite=Lax cookie that
 * the form repeats in a hidden field (double submit), plus the browser's Origin header,
 * which must be ours when sent. A site that cannot read our cookie cannot forge the field.
 */
export class CsrfGuard {
  readonly #policy: CookiePolicy;
  readonly #cookie: string;
  readonly #origin: string;

  constructor(policy: CookiePolicy, publicUrl: string) {
    this.#policy = policy;
    this.#cookie = policy.name('todos_csrf');
    this.#origin = new URL(publicUrl).origin;
  }

  /** The token for the forms of this page, setting the cookie when the browser has none. */
  token(req: Request, res: Response): string {
    const existing = readCookie(req, this.#cookie);
    if (existing) return existing;
    const created = randomBytes(24).toString('base64url');
    writeCookie(res, this.#policy, this.#cookie, created);
    return created;
  }

  /** Refuses a form post whose token or origin is wrong with `onRefused`. */
  check(onRefused: (req: Request, res: Response) => void): RequestHandler {
    return (req, res, next) => {
      const cookie = readCookie(req, this.#cookie);
      const field = (req.body as Record<string, unknown> | undefined)?.csrf_token;
      const origin = req.get('origin');
      if (
        cookie === undefined ||
        typeof field !== 'string' ||
        !sameText(cookie, field) ||
        (origin !== undefined && origin !== this.#origin)
      ) {
        onRefused(req, res);
        return;
      }
      next();
    };
  }
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
