import type {
  AuthorizationCodeRepository,
  OAuthGrant,
  OAuthGrantRepository,
} from '../../repositories/types.ts';
import type { Scope } from '../auth-schemas.ts';
import { UnauthorizedError } from '../errors.ts';
import { hashSecret, newSecret, pkceMatches } from '../secrets.ts';
import type { Audience, TokenClaims, TokenCodec } from '../token-codec.ts';
import type { OAuthClientService } from './client-service.ts';
import { OAuthRequestError } from './oauth-errors.ts';
import { narrowTo, parseResources, toScopes } from './resources.ts';

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
  refresh_token: string;
}

export interface CodeExchange {
  clientId: string;
  code: string;
  redirectUri: string | undefined;
  codeVerifier: string | undefined;
  resources: string[];
}

export interface RefreshRequest {
  clientId: string;
  refreshToken: string;
  scope: string | undefined;
  resources: string[];
}

export interface OAuthTokenServiceDeps {
  clients: OAuthClientService;
  codes: AuthorizationCodeRepository;
  grants: OAuthGrantRepository;
  tokens: TokenCodec;
  /** Life of each refresh token; a grant lapses when its client stops refreshing for this long. */
  refreshTtlMs: number;
  /** Active grants one person may hold (the consent page says so first; see AuthorizationService). */
  maxGrantsPerUser: number;
  now?: () => number;
}

/** A grant and the person who gave it: what revoking it takes. */
type GrantRef = Pick<OAuthGrant, 'id' | 'userId'>;

const INVALID_GRANT = 'The authorization code or refresh token is invalid, expired or revoked.';

/** The token and revocation endpoints' rules (RFC 6749 §4.1.3 and §6, RFC 7636, RFC 8707, RFC 7009). */
export class OAuthTokenService {
  readonly #deps: OAuthTokenServiceDeps;
  readonly #now: () => number;

  constructor(deps: OAuthTokenServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * Swaps a code for tokens. The code is spent by the first attempt whatever its outcome, so a
   * wrong verifier cannot be retried; a second use revokes the grant the first one created
   * (RFC 6749 §4.1.2, OAuth 2.1 §4.1.3).
   */
  async exchangeCode(request: CodeExchange): Promise<TokenResponse> {
    const client = await this.#deps.clients.resolve(request.clientId);
    const now = this.#now();
    const codeHash = hashSecret(request.code);
    const used = await this.#deps.codes.consume(codeHash, iso(now));
    if (!used) throw new OAuthRequestError('invalid_grant', INVALID_GRANT);
    const { code, replayed } = used;
    if (replayed) {
      await this.#deps.grants.revoke(code.userId, code.grantId, iso(now));
      throw new OAuthRequestError(
        'invalid_grant',
        'The authorization code was already used; its grant is revoked.',
      );
    }
    if (code.clientId !== client.id) throw new OAuthRequestError('invalid_grant', INVALID_GRANT);
    if (code.expiresAt <= iso(now))
      throw new OAuthRequestError('invalid_grant', 'The authorization code expired.');
    if (request.redirectUri !== code.redirectUri) {
      throw new OAuthRequestError('invalid_grant', 'redirect_uri differs from the authorization request.');
    }
    if (request.codeVerifier === undefined || !pkceMatches(request.codeVerifier, code.codeChallenge)) {
      throw new OAuthRequestError('invalid_grant', 'The code_verifier does not match the code_challenge.');
    }
    const audiences = this.#audiences(code.resources, request.resources);
    const grant: OAuthGrant = {
      id: code.grantId,
      userId: code.userId,
      clientId: client.id,
      scopes: code.scopes,
      resources: code.resources,
      createdAt: iso(now),
      expiresAt: iso(now + this.#deps.refreshTtlMs),
      lastUsedAt: iso(now),
      revokedAt: null,
    };
    const refreshToken = newSecret();
    const refresh = {
      tokenHash: hashSecret(refreshToken),
      grantId: grant.id,
      createdAt: iso(now),
      expiresAt: grant.expiresAt,
    };
    const { maxGrantsPerUser } = this.#deps;
    const created = await this.#deps.grants.create(grant, refresh, codeHash, maxGrantsPerUser);
    if (created === 'code_replayed') {
      throw new OAuthRequestError(
        'invalid_grant',
        'The authorization code was used twice; its grant is revoked.',
      );
    }
    // Another app was connected between this one's consent and now (RFC 6749 §5.2: the
    // grant is no longer valid). The person must disconnect one and allow this app again.
    if (created === 'over_cap') {
      throw new OAuthRequestError(
        'invalid_grant',
        `The person already has ${maxGrantsPerUser} connected apps, the most one account may have; they must disconnect one, then allow this app again.`,
      );
    }
    await this.#deps.clients.keep(client);
    return this.#respond(grant, toScopes(grant.scopes), audiences, refreshToken);
  }

  /** A new access token and a new refresh token; the old refresh token is spent. Replaying it revokes the grant. */
  async refresh(request: RefreshRequest): Promise<TokenResponse> {
    const client = await this.#deps.clients.resolve(request.clientId, { staleIfUnreachable: true });
    const now = this.#now();
    const tokenHash = hashSecret(request.refreshToken);
    // Check what is asked before spending the token, so a bad request does not cost the client its grant.
    const current = await this.#deps.grants.findByRefreshToken(tokenHash);
    if (!current || current.clientId !== client.id)
      throw new OAuthRequestError('invalid_grant', INVALID_GRANT);
    const granted = toScopes(current.scopes);
    const scopes =
      request.scope === undefined
        ? granted
        : narrowTo(granted, request.scope.split(' ').filter(Boolean), 'scope');
    const audiences = this.#audiences(current.resources, request.resources);
    const next = newSecret();
    const rotation = await this.#deps.grants.rotateRefreshToken(
      tokenHash,
      client.id,
      { tokenHash: hashSecret(next), createdAt: iso(now), expiresAt: iso(now + this.#deps.refreshTtlMs) },
      iso(now),
    );
    if (rotation.outcome === 'replayed') {
      // The token read above is the one replayed: its grant is current's.
      await this.#deps.grants.revoke(current.userId, rotation.grantId, iso(now));
      throw new OAuthRequestError(
        'invalid_grant',
        'The refresh token was already used; its grant is revoked.',
      );
    }
    if (rotation.outcome === 'invalid') throw new OAuthRequestError('invalid_grant', INVALID_GRANT);
    // A grant that ended (revoked, or lapsed unrefreshed) is deleted with its refresh tokens
    // once refreshTtlMs (30 days) have passed since: by then every refresh token it issued has
    // expired, so deleting it changes no answer any token can get, while until then a replayed
    // or revoked token is still recognised as its grant's. Nobody sees a dead grant (the Agents
    // page lists active ones): past that window its rows would only grow the table and the
    // per-user count behind the cap.
    await this.#deps.grants.purgeExpired(iso(now), iso(now - this.#deps.refreshTtlMs));
    return this.#respond(rotation.grant, scopes, audiences, next);
  }

  /**
   * RFC 7009: revoking a refresh token or an access token revokes the grant behind it, so
   * every token of that grant stops working. Unknown tokens, and tokens of another client,
   * change nothing and get the same answer (§2.2).
   */
  async revoke(clientId: string, token: string): Promise<void> {
    const client = await this.#deps.clients.resolve(clientId, { staleIfUnreachable: true });
    const grant =
      token.split('.').length === 3
        ? this.#accessTokenGrant(token, client.id)
        : await this.#refreshTokenGrant(token, client.id);
    if (grant !== undefined) await this.#deps.grants.revoke(grant.userId, grant.id, iso(this.#now()));
  }

  async #refreshTokenGrant(token: string, clientId: string): Promise<GrantRef | undefined> {
    const grant = await this.#deps.grants.findByRefreshToken(hashSecret(token));
    return grant?.clientId === clientId ? grant : undefined;
  }

  #accessTokenGrant(token: string, clientId: string): GrantRef | undefined {
    for (const audience of ['mcp', 'api'] as const) {
      let claims: TokenClaims;
      try {
        claims = this.#deps.tokens.verify(token, audience);
      } catch (error) {
        if (error instanceof UnauthorizedError) continue;
        throw error;
      }
      return claims.kind === 'oauth' && claims.clientId === clientId && claims.grantId !== undefined
        ? { id: claims.grantId, userId: claims.userId }
        : undefined;
    }
    return undefined;
  }

  /** The audiences of the token: all the grant's resources, or those the request names (RFC 8707 §2.2). */
  #audiences(granted: readonly Audience[], asked: readonly string[]): Audience[] {
    if (asked.length === 0) return [...granted];
    return narrowTo(granted, parseResources(this.#deps.tokens, asked), 'resource');
  }

  #respond(grant: OAuthGrant, scopes: Scope[], audiences: Audience[], refreshToken: string): TokenResponse {
    const { token, claims } = this.#deps.tokens.signForGrant(grant.userId, scopes, {
      grantId: grant.id,
      clientId: grant.clientId,
      audiences,
    });
    return {
      access_token: token,
      token_type: 'Bearer',
      expires_in: claims.expiresAt - claims.issuedAt,
      scope: claims.scopes.join(' '),
      refresh_token: refreshToken,
    };
  }
}

const iso = (ms: number) => new Date(ms).toISOString();
