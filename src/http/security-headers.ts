import type { RequestHandler } from 'express';

/**
 * Headers for an API that serves no HTML: nothing may be sniffed, framed, cached or sent
 * as a referrer. `no-store` applies to every answer, since most carry a user's data or a token.
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Security-Policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  next();
};
