import { randomUUID } from 'node:crypto';
import {
  ClientMetadataFetchError,
  type ClientMetadataSource,
  type OAuthClient,
  type OAuthClientRepository,
} from '../../repositories/types.ts';
import { clientNetwork } from '../client-network.ts';
import { RateLimitedError } from '../errors.ts';
import type { RateBudget } from '../rate-limiter.ts';
import { acceptClientMetadata, isClientIdUrl } from './client-metadata.ts';
import { OAuthRequestError } from './oauth-errors.ts';

export interface OAuthClientServiceDeps {
  clients: OAuthClientRepository;
  documents: ClientMetadataSource;
  /** Registrations per client network (clientNetwork), shared by every process that shares a database. */
  registrationThrottle: RateBudget;
  /** A registration never used for a grant lapses after this long. */
  unusedRegistrationTtlMs: number;
  /** How long a fetched metadata document is used before it is fetched again. */
  documentCacheMs: number;
  now?: () => number;
}

export interface RegisteredClient extends OAuthClient {
  applicationType: string | undefined;
}

/** Knows every client: those that registered with us, and those that publish a metadata document. */
export class OAuthClientService {
  readonly #deps: OAuthClientServiceDeps;
  readonly #now: () => number;
  // One fetch per document at a time, however many authorization requests name it.
  readonly #fetching = new Map<string, Promise<OAuthClient>>();

  constructor(deps: OAuthClientServiceDeps) {
    this.#deps = deps;
    this.#now = deps.now ?? Date.now;
  }

  /** Open dynamic registration of a public client (RFC 7591), bounded per address. */
  async register(input: unknown, clientAddress: string): Promise<RegisteredClient> {
    const metadata = acceptClientMetadata(input, 'registration');
    const wait = await this.#deps.registrationThrottle.take(clientNetwork(clientAddress));
    if (wait > 0) throw new RateLimitedError('Too many clients were registered from your address.', wait);
    const now = this.#now();
    await this.#deps.clients.purgeLapsed(new Date(now).toISOString());
    const client: OAuthClient = {
      id: randomUUID(),
      source: 'registration',
      name: metadata.name,
      uri: metadata.uri,
      redirectUris: metadata.redirectUris,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.#deps.unusedRegistrationTtlMs).toISOString(),
    };
    await this.#deps.clients.insert(client);
    return { ...client, applicationType: metadata.applicationType };
  }

  /**
   * The client named by `clientId`, fetching its metadata document when that is what it
   * names. `staleIfUnreachable` (the token and revocation endpoints): when the document
   * cannot be fetched at all, the last valid one stands, so that a client holding a grant
   * does not lose it to invalid_client (on which hosts discard their credentials) whenever
   * its document's host has an outage; a document that answers but is invalid still ends it.
   * An authorization request is aborted instead, as the CIMD draft asks.
   */
  async resolve(clientId: string, options: { staleIfUnreachable?: boolean } = {}): Promise<OAuthClient> {
    const now = new Date(this.#now()).toISOString();
    const stored = await this.#deps.clients.find(clientId);
    if (stored && (stored.expiresAt === null || stored.expiresAt > now)) return stored;
    if (!isClientIdUrl(clientId)) {
      throw new OAuthRequestError(
        'invalid_client',
        'The client is not registered here, or its registration lapsed.',
      );
    }
    let pending = this.#fetching.get(clientId);
    if (!pending) {
      pending = this.#fetchDocument(clientId).finally(() => this.#fetching.delete(clientId));
      this.#fetching.set(clientId, pending);
    }
    try {
      return await pending;
    } catch (error) {
      if (!(error instanceof ClientMetadataFetchError)) throw error;
      if (options.staleIfUnreachable && stored?.source === 'metadata_document') return stored;
      throw new OAuthRequestError('invalid_client', `The client's metadata document ${error.message}.`);
    }
  }

  /** A registration used for a grant stays. */
  async keep(client: OAuthClient): Promise<void> {
    if (client.source === 'registration' && client.expiresAt !== null)
      await this.#deps.clients.keep(client.id);
  }

  async #fetchDocument(url: string): Promise<OAuthClient> {
    const document = await this.#deps.documents.fetch(url);
    const claimed = (document as { client_id?: unknown } | null)?.client_id;
    if (claimed !== url) {
      throw new OAuthRequestError(
        'invalid_client',
        "The client's metadata document names another client_id than its own URL.",
      );
    }
    const metadata = describedBy(document);
    const now = this.#now();
    const client: OAuthClient = {
      id: url,
      source: 'metadata_document',
      name: metadata.name,
      uri: metadata.uri,
      redirectUris: metadata.redirectUris,
      createdAt: new Date(now).toISOString(),
      expiresAt: new Date(now + this.#deps.documentCacheMs).toISOString(),
    };
    await this.#deps.clients.upsertDocument(client);
    return client;
  }
}

/** A document that breaks the rules makes its client unknown to us: invalid_client, whatever the field. */
function describedBy(document: unknown) {
  try {
    return acceptClientMetadata(document, 'metadata_document');
  } catch (error) {
    if (!(error instanceof OAuthRequestError)) throw error;
    throw new OAuthRequestError(
      'invalid_client',
      `The client's metadata document is invalid: ${error.description}`,
    );
  }
}
