import type { Request, Response } from 'express';

/** Cookie names and flags, fixed by whether the public URL is https. */
export interface CookiePolicy {
  secure: boolean;
  /** `__Host-` names cannot be set by a sibling subdomain or over http: only when secure. */
  name(base: string): string;
}

export function cookiePolicy(publicUrl: string): CookiePolicy {
  const secure = new URL(publicUrl).protocol === 'https:';
  return { secure, name: (base) => (secure ? `__Host-${base}` : base) };
}

/** One cookie from the request; Express parses none by itself. */
export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const separator = part.indexOf('=');
    if (separator === -1 || part.slice(0, separator).trim() !== name) continue;
    const value = part.slice(separator + 1).trim();
    return /^[A-Za-z0-9_-]{1,100}$/.test(value) ? value : undefined;
  }
  return undefined;
}

/** HttpOnly, SameSite=Lax (top-level navigations back from a client keep the session), Path=/. */
export function writeCookie(
  res: Response,
  policy: CookiePolicy,
  name: string,
  value: string,
  maxAgeMs?: number,
): void {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: policy.secure,
    path: '/',
    ...(maxAgeMs === undefined ? {} : { maxAge: maxAgeMs }),
  });
}

export function clearCookie(res: Response, policy: CookiePolicy, name: string): void {
  res.clearCookie(name, { httpOnly: true, sameSite: 'lax', secure: policy.secure, path: '/' });
}
