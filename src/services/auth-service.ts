import { randomUUID } from 'node:crypto';
import type {
  AgentTokenRepository,
  OAuthGrantRepository,
  User,
  UserRepository,
  UserWithCredentials,
} from '../repositories/types.ts';
import type { RegisterInput, Scope, TokenRequestInput } from './auth-schemas.ts';
import { SCOPES } from './auth-schemas.ts';
import { clientNetwork } from './client-network.ts';
import {
  ConflictError,
  NotFoundError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
} from './errors.ts';
import type { LoginThrottle } from './login-throttle.ts';
import type { PasswordHasher } from './password-hasher.ts';
import type { RateBudget } from './rate-limiter.ts';
import type { Audience, TokenCodec, TokenKind } from './token-codec.ts';

/** Who is calling, as established from a verified token. Edges pass `userId` to services. */
export interface Principal {
  /** A person signed in with a password, or an agent holding a token that person minted. */
  kind: TokenKind;
  userId: string;
  username: string;
  scopes: Scope[];
  tokenId: string;
  /** Seconds since the epoch. */
  expiresAt: number;
  /** OAuth access tokens: the client acting for the person, so its activity can be attributed. */
  clientId?: string;
}

export interface IssuedToken {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  scope: string;
}

export interface AuthServiceDeps {
  users: UserRepository;
  agentTokens: AgentTokenRepository;
  oauthGrants: OAuthGrantRepository;
  hasher: PasswordHasher;
  tokens: TokenCodec;
  /** Failed sign-ins per address, per username and address, and per username (login-throttle.ts). */
  loginThrottle: LoginThrottle;
  /** Registrations per client network (clientNetwork): each one costs an argon2 hash, so they are bounded too. */
  registrationThrottle: RateBudget;
  now?: () => number;
}

const BAD_CREDENTIALS = 'The username or password is incorrect.';

// Persisting "last used" on every request would turn each read into a write: once a minute is enough.
const LAST_USED_RESOLUTION_MS = 60_000;

export class AuthService {
  readonly #deps: AuthServiceDeps;
  readonly #now: () => number;
  readonly #lastUsedWritten = new Map<string, number>();

  constructor(deps: AuthServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async register(input: RegisterInput, clientAddress: string): Promise<User> {
    const wait = await this.#deps.registrationThrottle.take(clientNetwork(clientAddress));
    if (wait > 0)
      throw new RateLimitedError('Too many accounts were created from your address. Try again later.', wait);
    const passwordHash = await this.#deps.hasher.hash(input.password);
    const user = await this.#deps.users.create({
      id: randomUUID(),
      username: input.username,
      passwordHash,
      createdAt: new Date(this.#now()).toISOString(),
    });
    if (!user) throw new ConflictError(`The username ${JSON.stringify(input.username)} is taken.`);
    return user;
  }

  /** Exchanges a username and password for an access token (see verifyCredentials). */
  async login(input: TokenRequestInput, clientAddress: string): Promise<IssuedToken> {
    const user = await this.verifyCredentials(input, clientAddress);
    const scopes = input.scope ?? [...SCOPES];
    const { token, claims } = this.#deps.tokens.sign(user.id, scopes);
    return {
      accessToken: token,
      tokenType: 'Bearer',
      expiresIn: claims.expiresAt - claims.issuedAt,
      scope: claims.scopes.join(' '),
    };
  }

  /**
   * The password check behind every sign-in (the token endpoint and our pages). An unknown
   * user and a wrong password get the same error after the same amount of work; failures are
   * throttled per address, per username and address, and per username (see login-throttle.ts).
   */
  async verifyCredentials(
    input: { username: string; password: string },
    clientAddress: string,
  ): Promise<User> {
    const admission = await this.#deps.loginThrottle.admit(input.username, clientAddress);
    if ('retryAfter' in admission) {
      throw new RateLimitedError('Too many failed sign-in attempts. Try again later.', admission.retryAfter);
    }
    const { attempt } = admission;
    let user: UserWithCredentials | undefined;
    try {
      user = await this.#deps.users.findByUsername(input.username);
      const valid = user
        ? await this.#deps.hasher.verify(input.password, user.passwordHash)
        : await this.#deps.hasher.verifyDummy(input.password);
      if (!user || !valid) {
        await attempt.failed();
        throw new UnauthorizedError(BAD_CREDENTIALS);
      }
      await attempt.succeeded();
    } finally {
      await attempt.abandoned();
    }
    return { id: user.id, username: user.username, createdAt: user.createdAt };
  }

  /**
   * Verifies a bearer token for one resource and re-loads its user, so that a deleted
   * user's tokens stop working at once.
   */
  async authenticate(token: string, audience: Audience): Promise<Principal> {
    const claims = this.#deps.tokens.verify(token, audience);
    if (claims.kind === 'agent') await this.#checkAgentToken(claims.userId, claims.tokenId);
    if (claims.kind === 'oauth') await this.#checkGrant(claims.userId, claims.grantId, claims.clientId);
    const user = await this.#deps.users.findById(claims.userId);
    if (!user) throw new UnauthorizedError('The access token is invalid or expired.');
    return {
      kind: claims.kind,
      userId: user.id,
      username: user.username,
      scopes: [...claims.scopes],
      tokenId: claims.tokenId,
      expiresAt: claims.expiresAt,
      ...(claims.clientId === undefined ? {} : { clientId: claims.clientId }),
    };
  }

  /** An agent token works only while its record exists and is not revoked: one primary-key read. */
  async #checkAgentToken(userId: string, tokenId: string): Promise<void> {
    const now = this.#now();
    const record = await this.#deps.agentTokens.findActive(userId, tokenId, new Date(now).toISOString());
    if (!record) {
      this.#lastUsedWritten.delete(tokenId);
      throw new UnauthorizedError('The access token has been revoked or has expired.');
    }
    await this.#noteUse(tokenId, now, (at) => this.#deps.agentTokens.touch(tokenId, at));
  }

  /**
   * An OAuth access token works only while its grant is neither revoked nor lapsed, so that
   * revoking a grant ends its access tokens on the next request, on both interfaces.
   */
  async #checkGrant(
    userId: string,
    grantId: string | undefined,
    clientId: string | undefined,
  ): Promise<void> {
    const now = this.#now();
    const grant =
      grantId === undefined
        ? undefined
        : await this.#deps.oauthGrants.findActive(grantId, new Date(now).toISOString());
    if (!grant || grant.userId !== userId || grant.clientId !== clientId) {
      if (grantId !== undefined) this.#lastUsedWritten.delete(grantId);
      throw new UnauthorizedError('The access token has been revoked or has expired.');
    }
    await this.#noteUse(grant.id, now, (at) => this.#deps.oauthGrants.touch(grant.id, at));
  }

  /**
   * Records "last used" for a token or grant, at most once a minute each. Best effort: it is a
   * hint for the person, and a disk that refuses writes must not turn reads into failures; it
   * is tried again on the next request.
   */
  async #noteUse(id: string, now: number, touch: (at: string) => Promise<void>): Promise<void> {
    if (now - (this.#lastUsedWritten.get(id) ?? 0) < LAST_USED_RESOLUTION_MS) return;
    this.#lastUsedWritten.set(id, now);
    await touch(new Date(now).toISOString()).catch((error: unknown) => {
      if (!(error instanceof UnavailableError)) throw error;
      this.#lastUsedWritten.delete(id);
    });
  }

  async getUser(userId: string): Promise<User> {
    const user = await this.#deps.users.findById(userId);
    if (!user) throw new NotFoundError('User', userId);
    return user;
  }
}
