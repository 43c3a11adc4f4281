// The OAuth endpoints' one error mapping (RFC 6749 §5.2, RFC 7591 §3.2.2, RFC 7009 §2.2.1):
// a JSON body with `error` and `error_description`, never problem+json and never details
// of our own failures.
import type { ErrorRequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { RateLimitedError, UnavailableError } from '../services/errors.ts';
import { OAuthRequestError } from '../services/oauth/oauth-errors.ts';

export function sendOAuthError(res: Response, status: number, error: string, description: string): void {
  res.status(status).json({ error, error_description: errorDescription(description) });
}

/**
 * RFC 6749 §4.1.2.1 and §5.2 allow only printable ASCII, without the double quote and the
 * backslash, in error_description; some descriptions quote what the client sent, which may
 * hold anything.
 */
export const errorDescription = (text: string): string =>
  text
    .replace(/[^\x20-\x7E]/g, '?')
    .replaceAll('"', "'")
    .replaceAll('\\', '/');

export function oauthErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    if (error instanceof OAuthRequestError) {
      if (error.code !== 'invalid_client') return sendOAuthError(res, 400, error.code, error.description);
      // Hosts expect 401 for invalid_client (RFC 6749 §5.2 allows it; several re-register on it),
      // and a 401 names how to authenticate: Basic, the scheme §5.2 requires for clients that
      // used the Authorization header (RFC 9110 §15.5.2 asks it of every 401).
      res.setHeader('WWW-Authenticate', 'Basic realm="todos"');
      return sendOAuthError(res, 401, error.code, error.description);
    }
    if (error instanceof RateLimitedError || error instanceof UnavailableError) {
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      const status = error instanceof RateLimitedError ? 429 : 503;
      return sendOAuthError(res, status, 'temporarily_unavailable', error.message);
    }
    const status = (error as { status?: unknown }).status;
    if ((error as { expose?: unknown }).expose === true && typeof status === 'number' && status < 500) {
      return sendOAuthError(
        res,
        status === 413 ? 413 : 400,
        'invalid_request',
        'The request body is malformed or too large.',
      );
    }
    logger.error({ reqId: req.requestId, errorName: (error as Error)?.name }, 'oauth request failed');
    sendOAuthError(
      res,
      500,
      'server_error',
      `Something went wrong on our side (request id ${req.requestId}).`,
    );
  };
}
