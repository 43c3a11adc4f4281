import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { Scope } from './auth-schemas.ts';
import { AGENT_TOKEN_MAX_SECONDS, SCOPES } from './auth-schemas.ts';
import { UnauthorizedError } from './errors.ts';

/** The resources a token can be issued for (RFC 8707 resource indicators). */
export type Audience = 'api' | 'mcp';

/**
 * A person's sign-in token, a long-lived token a person minted for one agent, or an access
 * token our authorization server issued to an OAuth client under a grant (both revocable).
 */
export type TokenKind = 'user' | 'agent' | 'oauth';

export interface TokenClaims {
  kind: TokenKind;
  userId: string;
  tokenId: string;
  scopes: Scope[];
  audiences: string[];
  issuedAt: number;
  expiresAt: number;
  /** OAuth access tokens: the grant they were issued under, checked on every request. */
  grantId?: string;
  /** OAuth access tokens: the client they were issued to, so its activity can be attributed. */
  clientId?: string;
}

export interface TokenCodecOptions {
  secret: string;
  /** Public base URL: the issuer, and the prefix of the `/api` and `/mcp` resource URLs. */
  publicUrl: string;
  ttlSeconds: number;
  now?: () => number;
}

const ALGORITHM = 'HS256';
// The only JOSE header parameters we write. Anything else (`kid`, `jku`, `x5u`, `jwk`, `crit`,
// ...) is refused: we would never issue it, and `crit` names extensions that must be
// understood or refused (RFC 7515 §4.1.11; RFC 8725 §3.1 on header-driven key selection).
const HEADER_PARAMETERS: ReadonlySet<string> = new Set(['alg', 'typ']);
// Clocks of the processes that sign and verify may differ a little, never by more than this.
const CLOCK_SKEW_SECONDS = 60;
const INVALID = 'The access token is invalid or expired.';
const INTERFACES: Record<Audience, string> = { api: 'the REST API (/api)', mcp: 'the MCP server (/mcp)' };
// Said only of a token that passed every other check: its holder learns the token's own
// audience, nothing about anyone else's tokens.
const wrongAudience = (audience: Audience, kind: TokenKind) =>
  `This token is not valid for ${INTERFACES[audience]}: its audience is another interface. ` +
  (kind === 'oauth'
    ? `Authorize again with the resource ${audience === 'mcp' ? '/mcp' : '/api'} to use this one.`
    : `Mint an agent token with "audience": "${audience}" or "both" for this one.`);
// Distinct live tokens remembered after verification; the oldest is forgotten first.
const VERIFIED_CACHE_SIZE = 10_000;

/**
 * Signs and verifies our JWTs. The algorithm is pinned on both sides, every claim is
 * required, and the secret is a KeyObject built once: given a string, jsonwebtoken first
 * tries to parse it as a public key, which cost ~400 µs per verification here.
 */
export class TokenCodec {
  readonly #key: KeyObject;
  readonly #issuer: string;
  readonly #resources: Record<Audience, string>;
  readonly #ttlSeconds: number;
  readonly #now: () => number;
  readonly #verified = new Map<string, Readonly<TokenClaims>>();

  constructor(options: TokenCodecOptions) {
    this.#key = createSecretKey(Buffer.from(options.secret, 'utf8'));
    this.#issuer = options.publicUrl;
    this.#resources = { api: `${options.publicUrl}/api`, mcp: `${options.publicUrl}/mcp` };
    this.#ttlSeconds = options.ttlSeconds;
    this.#now = options.now ?? Date.now;
  }

  resourceUrl(audience: Audience): string {
    return this.#resources[audience];
  }

  /** A sign-in token by default; agent tokens pass their stored id, audiences and lifetime. */
  sign(
    userId: string,
    scopes: readonly Scope[],
    agent?: { tokenId: string; audiences: readonly Audience[]; ttlSeconds: number },
  ): { token: string; claims: TokenClaims } {
    const issuedAt = Math.floor(this.#now() / 1000);
    const claims: TokenClaims = {
      kind: agent ? 'agent' : 'user',
      userId,
      tokenId: agent?.tokenId ?? randomUUID(),
      scopes: [...scopes],
      audiences: (agent?.audiences ?? (['api', 'mcp'] as const)).map((audience) => this.#resources[audience]),
      issuedAt,
      expiresAt: issuedAt + (agent?.ttlSeconds ?? this.#ttlSeconds),
    };
    const payload = {
      ...(agent ? { kind: 'agent' } : {}),
      iss: this.#issuer,
      sub: claims.userId,
      aud: claims.audiences,
      iat: claims.issuedAt,
      exp: claims.expiresAt,
      jti: claims.tokenId,
      scope: claims.scopes.join(' '),
    };
    return { token: jwt.sign(payload, this.#key, { algorithm: ALGORITHM }), claims };
  }

  /**
   * An access token for an OAuth client: our own format and secret, one or both resources
   * as its audience (RFC 8707), and the grant and client it belongs to (RFC 9068 `client_id`).
   */
  signForGrant(
    userId: string,
    scopes: readonly Scope[],
    grant: { grantId: string; clientId: string; audiences: readonly Audience[] },
  ): { token: string; claims: TokenClaims } {
    const issuedAt = Math.floor(this.#now() / 1000);
    const claims: TokenClaims = {
      kind: 'oauth',
      userId,
      tokenId: randomUUID(),
      scopes: [...scopes],
      audiences: grant.audiences.map((audience) => this.#resources[audience]),
      issuedAt,
      expiresAt: issuedAt + this.#ttlSeconds,
      grantId: grant.grantId,
      clientId: grant.clientId,
    };
    const payload = {
      kind: 'oauth',
      iss: this.#issuer,
      sub: userId,
      aud: claims.audiences,
      iat: issuedAt,
      exp: claims.expiresAt,
      jti: claims.tokenId,
      scope: claims.scopes.join(' '),
      client_id: grant.clientId,
      grant_id: grant.grantId,
    };
    return { token: jwt.sign(payload, this.#key, { algorithm: ALGORITHM }), claims };
  }

  /**
   * Verifies signature, algorithm, issuer, audience, expiry and the presence of every claim.
   * A token that passed is remembered until it expires: clients send the same token on every
   * request, and full verification (decode, HMAC, claim checks) was a third of a REST
   * request's CPU here. A hit needs the identical string for the same audience, so it proves
   * what the first verification proved; expiry is still checked on every call, and callers
   * still re-load the user and the agent-token record each time, so deletion and revocation
   * take effect at once.
   */
  verify(token: string, audience: Audience): TokenClaims {
    const key = `${audience} ${token}`;
    const known = this.#verified.get(key);
    if (known !== undefined) {
      if (known.expiresAt > Math.floor(this.#now() / 1000)) return known;
      this.#verified.delete(key);
      throw new UnauthorizedError(INVALID);
    }
    const claims = this.#verifyFully(token, audience);
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
      const oldest = this.#verified.keys().next().value;
      if (oldest !== undefined) this.#verified.delete(oldest);
    }
    this.#verified.set(key, claims);
    return claims;
  }

  #verifyFully(token: string, audience: Audience): TokenClaims {
    let verified: jwt.Jwt;
    const now = Math.floor(this.#now() / 1000);
    try {
      // The audience is checked last, below, so that its refusal can say what it is.
      verified = jwt.verify(token, this.#key, {
        algorithms: [ALGORITHM],
        issuer: this.#issuer,
        clockTimestamp: now,
        complete: true,
      });
    } catch {
      // The library's reason (expired, bad signature, …) is not shown to callers: one answer for all.
      throw new UnauthorizedError(INVALID);
    }
    const { header, payload } = verified;
    if (
      typeof payload === 'string' ||
      !Object.keys(header).every((name) => HEADER_PARAMETERS.has(name)) ||
      (header.typ !== undefined && header.typ !== 'JWT')
    ) {
      throw new UnauthorizedError(INVALID);
    }
    const { sub, aud, iat, exp, jti, scope, kind, client_id: clientId, grant_id: grantId } = payload;
    const scopes = typeof scope === 'string' ? scope.split(' ') : [];
    if (
      typeof sub !== 'string' ||
      typeof jti !== 'string' ||
      typeof iat !== 'number' ||
      typeof exp !== 'number' ||
      aud === undefined ||
      (kind !== undefined && kind !== 'agent' && kind !== 'oauth') ||
      (kind === 'oauth' && (typeof grantId !== 'string' || typeof clientId !== 'string')) ||
      scopes.length === 0 ||
      !scopes.every((s): s is Scope => (SCOPES as readonly string[]).includes(s))
    ) {
      throw new UnauthorizedError(INVALID);
    }
    const tokenKind: TokenKind = kind === 'agent' || kind === 'oauth' ? kind : 'user';
    // Defence in depth (forging these needs the secret): refuse what we would never issue, a
    // token issued in the future or living longer than any token of its kind we hand out.
    if (iat > now + CLOCK_SKEW_SECONDS || exp <= iat || exp - iat > this.#maxLifetime(tokenKind)) {
      throw new UnauthorizedError(INVALID);
    }
    const audiences = Array.isArray(aud) ? aud : [aud];
    if (!audiences.includes(this.#resources[audience])) {
      throw new UnauthorizedError(wrongAudience(audience, tokenKind));
    }
    const claims: TokenClaims = {
      kind: tokenKind,
      userId: sub,
      tokenId: jti,
      scopes,
      audiences,
      issuedAt: iat,
      expiresAt: exp,
    };
    if (kind === 'oauth') Object.assign(claims, { grantId, clientId });
    return claims;
  }

  /** The longest life we give a token of this kind: the agent-token maximum, or the sign-in TTL (OAuth access tokens too). */
  #maxLifetime(kind: TokenKind): number {
    return kind === 'agent' ? AGENT_TOKEN_MAX_SECONDS : this.#ttlSeconds;
  }
}
