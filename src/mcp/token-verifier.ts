import {
  type AuthInfo,
  OAuthError,
  OAuthErrorCode,
  type OAuthTokenVerifier,
} from '@modelcontextprotocol/server';
import type { AuthService } from '../services/auth-service.ts';
import { UnauthorizedError } from '../services/errors.ts';

/**
 * The SDK's bearer middleware calls this; it runs the same AuthService verification as /api
 * (one secret, one code path), for the /mcp audience (RFC 8707). `resource` must be filled,
 * or the middleware's audience check refuses every token.
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
            ...(principal.clientId ? { oauthClientId: principal.clientId } : {}),
          },
        };
      } catch (error) {
        // Anything but OAuthError becomes a 500 in the SDK middleware.
        if (error instanceof UnauthorizedError)
          throw new OAuthError(OAuthErrorCode.InvalidToken, error.message);
        throw error;
      }
    },
  };
}

/** The user a verified request belongs to. */
export function userIdOf(authInfo: AuthInfo | undefined): string {
  const userId = authInfo?.extra?.userId;
  if (typeof userId !== 'string') throw new Error('MCP request reached the server without authentication');
  return userId;
}
