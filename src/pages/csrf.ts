import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { type CookiePolicy, readCookie, writeCookie } from './cookies.ts';

/**
 * CSRF protection for every form: a random secret in an HttpOnly, SameSite=Lax cookie that
 * the form repeats in a hidden field (double submit), plus the browser's Origin header,
 * which must be ours when sent. A site that cannot read our cookie cannot forge the field.
 *
 * A form that acts on something particular (the consent form: this person's session, this
 * authorization request) carries instead an HMAC of that binding keyed by the secret, so
 * the field is good for that one thing only: not after the browser signed in as someone
 * else, and not for another client's request. It needs no storage, so it holds across
 * processes.
 */
export class CsrfGuard {
  readonly #policy: CookiePolicy;
  readonly #cookie: string;
  readonly #origin: string;
  // A secret created for a response: its forms must all use it, though the request had none.
  readonly #created = new WeakMap<Response, string>();

  constructor(policy: CookiePolicy, publicUrl: string) {
    this.#policy = policy;
    this.#cookie = policy.name('todos_csrf');
    this.#origin = new URL(publicUrl).origin;
  }

  /** The token for a form of this page (bound to `binding` when given), setting the cookie when the browser has none. */
  token(req: Request, res: Response, binding?: string): string {
    let secret = readCookie(req, this.#cookie) ?? this.#created.get(res);
    if (secret === undefined) {
      secret = randomBytes(24).toString('base64url');
      this.#created.set(res, secret);
      writeCookie(res, this.#policy, this.#cookie, secret);
    }
    return binding === undefined ? secret : bound(secret, binding);
  }

  /** Refuses a form post whose token (for `binding`, when given) or origin is wrong with `onRefused`. */
  check(
    onRefused: (req: Request, res: Response) => void,
    binding?: (req: Request) => string,
  ): RequestHandler {
    return (req, res, next) => {
      const secret = readCookie(req, this.#cookie);
      const field = (req.body as Record<string, unknown> | undefined)?.csrf_token;
      const origin = req.get('origin');
      if (
        secret === undefined ||
        typeof field !== 'string' ||
        !sameText(binding === undefined ? secret : bound(secret, binding(req)), field) ||
        (origin !== undefined && origin !== this.#origin)
      ) {
        onRefused(req, res);
        return;
      }
      next();
    };
  }
}

const bound = (secret: string, binding: string): string =>
  createHmac('sha256', secret).update(binding).digest('base64url');

/** Compares two secrets in time that does not depend on where they differ. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
