import type { RequestHandler } from 'express';
import { bearerToken } from '../http/bearer-token.ts';
import type { Scope } from '../services/auth-schemas.ts';
import type { AuthService } from '../services/auth-service.ts';
import { ForbiddenError, UnauthorizedError } from '../services/errors.ts';

/**
 * Authenticates `/api` requests from the Authorization header only (RFC 6750 §2.1): a token
 * in the query string is ignored, because URLs end up in logs and browser history.
 * `scope`, when given, must be granted by the token.
 */
export function bearerAuth(auth: AuthService, scope?: Scope): RequestHandler {
  return async (req, _res, next) => {
    const token = bearerToken(req.get('authorization'));
    if (token === undefined)
      throw new UnauthorizedError('Send an access token as "Authorization: Bearer <token>".');
    req.principal = await auth.authenticate(token, 'api');
    if (scope && !req.principal.scopes.includes(scope)) {
      throw new ForbiddenError(`This needs the ${scope} scope, which your token does not grant.`, scope);
    }
    next();
  };
}
