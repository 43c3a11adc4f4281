import { randomUUID } from 'node:crypto';
import type { AgentToken, AgentTokenRepository } from '../repositories/types.ts';
import type { CreateAgentTokenInput } from './auth-schemas.ts';
import type { Principal } from './auth-service.ts';
import { ForbiddenError, NotFoundError, QuotaExceededError } from './errors.ts';
import { assertFullSignIn } from './full-sign-in.ts';
import type { Audience, TokenCodec } from './token-codec.ts';

export interface MintedAgentToken extends AgentToken {
  /** The bearer token itself: shown once, never stored. */
  token: string;
}

export interface AgentTokenServiceDeps {
  agentTokens: AgentTokenRepository;
  tokens: TokenCodec;
  maxActivePerUser: number;
  now?: () => number;
}

/**
 * Least-privilege tokens a person mints for one agent: narrow scopes, one audience, a long
 * but bounded life, and revocation that takes effect on the next request (AuthService checks
 * every agent token against its record).
 */
export class AgentTokenService {
  readonly #deps: AgentTokenServiceDeps;
  readonly #now: () => number;

  constructor(deps: AgentTokenServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  async create(caller: Principal, input: CreateAgentTokenInput): Promise<MintedAgentToken> {
    assertFullSignIn(caller, 'manage agent tokens');
    // Implied by a full sign-in today; kept so that a token never outgrows its minter.
    const missing = input.scopes.find((scope) => !caller.scopes.includes(scope));
    if (missing)
      throw new ForbiddenError(`You cannot grant ${missing}: your own token does not have it.`, missing);
    const audience: Audience[] = input.audience === 'both' ? ['api', 'mcp'] : [input.audience];
    const now = this.#now();
    const record: AgentToken = {
      id: randomUUID(),
      name: input.name,
      scopes: input.scopes,
      audience,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + input.expiresIn * 1000).toISOString(),
      lastUsedAt: null,
      revokedAt: null,
    };
    const stored = await this.#deps.agentTokens.insert(caller.userId, record, this.#deps.maxActivePerUser);
    if (!stored) {
      throw new QuotaExceededError(
        `You already have ${this.#deps.maxActivePerUser} active agent tokens. Revoke one you no longer use first.`,
        this.#deps.maxActivePerUser,
      );
    }
    const { token } = this.#deps.tokens.sign(caller.userId, input.scopes, {
      tokenId: record.id,
      audiences: audience,
      ttlSeconds: input.expiresIn,
    });
    return { ...stored, token };
  }

  async list(caller: Principal): Promise<AgentToken[]> {
    assertFullSignIn(caller, 'manage agent tokens');
    return this.#deps.agentTokens.list(caller.userId);
  }

  async revoke(caller: Principal, id: string): Promise<void> {
    assertFullSignIn(caller, 'manage agent tokens');
    const revoked = await this.#deps.agentTokens.revoke(
      caller.userId,
      id,
      new Date(this.#now()).toISOString(),
    );
    if (!revoked) throw new NotFoundError('Agent token', id);
  }
}
