import { randomUUID } from 'node:crypto';
import type {
  AuthorizationCodeRepository,
  OAuthClient,
  OAuthConsentRepository,
  OAuthGrantRepository,
  OAuthResource,
} from '../../repositories/types.ts';
import type { Scope } from '../auth-schemas.ts';
import { QuotaExceededError } from '../errors.ts';
import { hashSecret, newSecret, S256_CHALLENGE } from '../secrets.ts';
import type { TokenCodec } from '../token-codec.ts';
import type { OAuthClientService } from './client-service.ts';
import { OAuthRequestError } from './oauth-errors.ts';
import { isLoopbackRedirectUri, redirectUriMatches } from './redirect-uris.ts';
import { parseResources, parseScopes } from './resources.ts';

/** The parameters of an authorization request, as strings, from the query or the consent form. */
export interface AuthorizationParams {
  response_type?: string | undefined;
  client_id?: string | undefined;
  redirect_uri?: string | undefined;
  code_challenge?: string | undefined;
  code_challenge_method?: string | undefined;
  scope?: string | undefined;
  state?: string | undefined;
  resource: string[];
}

/** Who asks, and where the answer goes: known before anything may be sent to the client. */
export interface ClientRedirect {
  client: OAuthClient;
  redirectUri: string;
  state: string | undefined;
}

/** A request that passed every check: what the consent page shows and a code is bound to. */
export interface AuthorizationRequest extends ClientRedirect {
  codeChallenge: string;
  scopes: Scope[];
  resources: OAuthResource[];
}

export interface AuthorizationServiceDeps {
  clients: OAuthClientService;
  codes: AuthorizationCodeRepository;
  consents: OAuthConsentRepository;
  grants: OAuthGrantRepository;
  tokens: TokenCodec;
  /** At most 60 seconds: the code crosses the browser and should be exchanged at once. */
  codeTtlMs: number;
  /** Active grants (connected apps) one person may hold; the token endpoint enforces it too. */
  maxGrantsPerUser: number;
  now?: () => number;
}

// Used codes are kept a while after they expire, so that a late replay still revokes the grant.
const REPLAY_MEMORY_MS = 10 * 60_000;

/** The authorization endpoint's rules (RFC 6749 §4.1, OAuth 2.1, RFC 7636, RFC 8707). */
export class AuthorizationService {
  readonly #deps: AuthorizationServiceDeps;
  readonly #now: () => number;

  constructor(deps: AuthorizationServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /**
   * The client and its redirect URI. Until both are established nothing may be sent to the
   * redirect URI (RFC 6749 §4.1.2.1): errors from here are shown to the person instead.
   */
  async resolveClient(params: AuthorizationParams): Promise<ClientRedirect> {
    if (!params.client_id) throw new OAuthRequestError('invalid_request', 'The request has no client_id.');
    const client = await this.#deps.clients.resolve(params.client_id);
    if (!params.redirect_uri) {
      throw new OAuthRequestError('invalid_request', 'The request has no redirect_uri.');
    }
    if (!redirectUriMatches(client.redirectUris, params.redirect_uri)) {
      throw new OAuthRequestError(
        'invalid_request',
        'The redirect_uri is not one the application registered, so we will not send you there.',
      );
    }
    return { client, redirectUri: params.redirect_uri, state: params.state };
  }

  /** Everything else; errors from here go back to the client's redirect URI. */
  validate(target: ClientRedirect, params: AuthorizationParams): AuthorizationRequest {
    if (params.response_type !== 'code') {
      throw new OAuthRequestError('unsupported_response_type', 'Only response_type=code is supported.');
    }
    if (!params.code_challenge) {
      throw new OAuthRequestError('invalid_request', 'PKCE is required: send code_challenge (S256).');
    }
    if (params.code_challenge_method !== 'S256') {
      throw new OAuthRequestError('invalid_request', 'code_challenge_method must be S256.');
    }
    if (!S256_CHALLENGE.test(params.code_challenge)) {
      throw new OAuthRequestError('invalid_request', 'code_challenge is not an S256 challenge.');
    }
    return {
      ...target,
      codeChallenge: params.code_challenge,
      scopes: parseScopes(params.scope),
      resources: parseResources(this.#deps.tokens, params.resource),
    };
  }

  /**
   * True when the person already allowed this client at least these scopes for these
   * resources, and the request can only be the client's. RFC 8252 §8.6: a loopback redirect
   * proves nothing about who asks (any program on the machine can listen on a port and name a
   * public client id, a well-known metadata document's above all), so such a request is shown
   * to the person every time; an https redirect the client registered is the proof §8.6 accepts.
   */
  async isRemembered(userId: string, request: AuthorizationRequest): Promise<boolean> {
    if (isLoopbackRedirectUri(request.redirectUri)) return false;
    const consent = await this.#deps.consents.find(userId, request.client.id);
    return (
      consent !== undefined &&
      request.scopes.every((scope) => consent.scopes.includes(scope)) &&
      request.resources.every((resource) => consent.resources.includes(resource))
    );
  }

  /**
   * Refuses (QuotaExceededError) when the person already holds as many active grants as one
   * may: the moment to say so is while they are here to disconnect an app, before a code is
   * issued. The token endpoint counts again, for two consents that race.
   */
  async assertRoomForGrant(userId: string): Promise<void> {
    const { maxGrantsPerUser } = this.#deps;
    const held = await this.#deps.grants.countActive(userId, new Date(this.#now()).toISOString());
    if (held >= maxGrantsPerUser) {
      throw new QuotaExceededError(
        `You have ${held} connected apps, and an account can have at most ${maxGrantsPerUser}.`,
        maxGrantsPerUser,
      );
    }
  }

  /**
   * The person allowed `scopes` (those asked for, perhaps fewer): remembers the consent and
   * issues a code bound to the client, redirect URI, PKCE challenge, scopes and resources.
   */
  async approve(userId: string, request: AuthorizationRequest, scopes: readonly Scope[]): Promise<string> {
    const granted = request.scopes.filter((scope) => scopes.includes(scope));
    if (granted.length === 0) throw new OAuthRequestError('access_denied', 'No access was allowed.');
    await this.assertRoomForGrant(userId);
    const now = this.#now();
    await this.#deps.consents.save({
      userId,
      clientId: request.client.id,
      scopes: granted,
      resources: request.resources,
      createdAt: new Date(now).toISOString(),
    });
    await this.#deps.codes.purgeExpired(new Date(now - REPLAY_MEMORY_MS).toISOString());
    const code = newSecret();
    await this.#deps.codes.insert({
      codeHash: hashSecret(code),
      grantId: randomUUID(),
      userId,
      clientId: request.client.id,
      redirectUri: request.redirectUri,
      codeChallenge: request.codeChallenge,
      scopes: granted,
      resources: request.resources,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.#deps.codeTtlMs).toISOString(),
    });
    return code;
  }
}
