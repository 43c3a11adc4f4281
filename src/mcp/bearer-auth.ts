// Authentication of /mcp requests: the header read by the parser /api uses, the token
// verified by the same AuthService code path, and the SDK's own RFC 6750 / RFC 9728
// challenges on refusal, so MCP clients get exactly the answers they expect.
import {
  type AuthInfo,
  bearerAuthChallengeResponse,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
  type VerifyBearerTokenOptions,
  verifyBearerToken,
} from '@modelcontextprotocol/server';
import type { RequestHandler, Response } from 'express';
import { bearerToken } from '../http/bearer-token.ts';
import type { Actor } from '../repositories/types.ts';
import { actorFor } from '../services/actor.ts';
import type { AuthService } from '../services/auth-service.ts';
import { UnauthorizedError, UnavailableError } from '../services/errors.ts';

/**
 * Runs the same AuthService verification as /api (one secret, one code path), for the /mcp
 * audience (RFC 8707). `resource` must be filled, or the audience check refuses every token.
 */
export function tokenVerifier(auth: AuthService, resource: URL): OAuthTokenVerifier {
  return {
    async verifyAccessToken(token: string): Promise<AuthInfo> {
      try {
        const principal = await auth.authenticate(token, 'mcp');
        return {
          token,
          clientId: principal.userId,
          scopes: principal.scopes,
          expiresAt: principal.expiresAt,
          resource,
          extra: {
            userId: principal.userId,
            actor: actorFor(principal, 'mcp'),
            ...(principal.clientId ? { oauthClientId: principal.clientId } : {}),
          },
        };
      } catch (error) {
        // Anything but OAuthError becomes a 500 in the SDK's challenge mapping.
        if (error instanceof UnauthorizedError)
          throw new OAuthError(OAuthErrorCode.InvalidToken, error.message);
        throw error;
      }
    },
  };
}

/**
 * Sets `req.auth` from a verified bearer token. The SDK's requireBearerAuth splits the
 * header on spaces and accepted `Bearer <jwt> junk`, which /api refuses; here the header is
 * read by the one parser both interfaces share, then verified by the SDK's own core.
 */
export function mcpBearerAuth(
  options: Omit<VerifyBearerTokenOptions, 'requiredScopes'> & {
    /** Named in a 401's challenge for the client to ask for; not required of the token. */
    challengeScopes?: string[];
  },
): RequestHandler {
  const { challengeScopes, ...verify } = options;
  const challenge = {
    ...(options.resourceMetadataUrl === undefined
      ? {}
      : { resourceMetadataUrl: options.resourceMetadataUrl }),
    ...(challengeScopes === undefined ? {} : { requiredScopes: challengeScopes }),
  };
  return async (req, res, next) => {
    try {
      const header = req.get('authorization');
      const token = bearerToken(header);
      if (token === undefined) {
        throw new OAuthError(
          OAuthErrorCode.InvalidToken,
          header === undefined
            ? 'Missing Authorization header'
            : "Invalid Authorization header format, expected 'Bearer TOKEN'",
        );
      }
      req.auth = await verifyBearerToken(`Bearer ${token}`, verify);
      next();
    } catch (error) {
      // The database could not be asked about the token: not the caller's fault (503, below).
      if (error instanceof UnavailableError) {
        next(error);
        return;
      }
      sendChallenge(res, error, challenge);
    }
  };
}

/** The SDK's answer to an authentication or scope failure (401 or 403 with WWW-Authenticate). */
export function sendChallenge(
  res: Response,
  error: unknown,
  options: Pick<VerifyBearerTokenOptions, 'requiredScopes' | 'resourceMetadataUrl'>,
): void {
  const answer = bearerAuthChallengeResponse(error, options);
  const challenge = answer.headers.get('www-authenticate');
  if (challenge !== null) res.set('WWW-Authenticate', challenge);
  const body =
    error instanceof OAuthError ? error : new OAuthError(OAuthErrorCode.ServerError, 'Internal Server Error');
  res.locals.oauthError = body.code;
  res.status(answer.status).json(body.toResponseObject());
}

/** Who sent a verified request: the user, and the bearer token it was authenticated with. */
export interface Caller {
  userId: string;
  token: string;
}

export function callerOf(authInfo: AuthInfo | undefined): Caller {
  return { userId: userIdOf(authInfo), token: authInfo?.token ?? '' };
}

/** The user a verified request belongs to. */
export function userIdOf(authInfo: AuthInfo | undefined): string {
  const userId = authInfo?.extra?.userId;
  if (typeof userId !== 'string') throw new Error('MCP request reached the server without authentication');
  return userId;
}

/** Who a verified request acts as, for the activity log: set by tokenVerifier above. */
export function actorOf(authInfo: AuthInfo | undefined): Actor {
  const actor = authInfo?.extra?.actor;
  if (!isActor(actor) || actor.userId !== userIdOf(authInfo))
    throw new Error('MCP request reached a write without an authenticated actor');
  return actor;
}

// AuthInfo.extra is untyped on its way through the SDK; this checks what tokenVerifier put there.
function isActor(value: unknown): value is Actor {
  if (typeof value !== 'object' || value === null) return false;
  const { userId, via } = value as Partial<Actor>;
  return typeof userId === 'string' && via === 'mcp';
}
