// Domain types and the storage interfaces the services depend on. Every method returns a
// promise even though better-sqlite3 is synchronous: a PostgreSQL implementation must be
// able to slot in without touching the services. A miss is `undefined`; services decide
// whether that is an error. Any method may reject with UnavailableError when the storage
// underneath cannot be read or written right now.

export interface User {
  id: string;
  username: string;
  createdAt: string;
}

export interface UserWithCredentials extends User {
  passwordHash: string;
}

export interface Todo {
  id: string;
  title: string;
  description: string;
  priority: number;
  completed: boolean;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The fields a caller may set; everything else is owned by the server. */
export type TodoFields = Pick<Todo, 'title' | 'description' | 'priority' | 'completed' | 'dueDate'>;

/** Some editable fields; an absent or undefined field keeps its stored value. */
export type TodoChanges = { [K in keyof TodoFields]?: TodoFields[K] | undefined };

export type TodoSortField = 'createdAt' | 'updatedAt' | 'dueDate' | 'priority';
export type SortOrder = 'asc' | 'desc';

/** Todos without a due date sort after every dated one in ascending order. */
export const NO_DUE_DATE_SORT_KEY = '9999-12-31';

/** The value a todo is ordered by; a page cursor records it for the page's last row. */
export function todoSortKey(todo: Todo, sort: TodoSortField): string | number {
  switch (sort) {
    case 'createdAt':
      return todo.createdAt;
    case 'updatedAt':
      return todo.updatedAt;
    case 'priority':
      return todo.priority;
    case 'dueDate':
      return todo.dueDate ?? NO_DUE_DATE_SORT_KEY;
  }
}

/** Where the previous page ended: the sort key and id of its last row. */
export interface TodoPosition {
  key: string | number;
  id: string;
}

export interface TodoQuery {
  completed?: boolean | undefined;
  priority?: number | undefined;
  /** Case-insensitive substring of the title or the description. */
  text?: string | undefined;
  /** Inclusive upper bound on `dueDate`; todos without a due date never match. */
  dueOnOrBefore?: string | undefined;
  sort: TodoSortField;
  order: SortOrder;
  after?: TodoPosition | undefined;
  limit: number;
}

export interface UserRepository {
  /** Returns undefined when the username (case-insensitive) is taken. */
  create(user: UserWithCredentials): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<UserWithCredentials | undefined>;
}

/** The interface a change came through. */
export type Via = 'web' | 'api' | 'mcp';

/**
 * A third party acting for the user, when there is one: the agent token it holds. OAuth
 * clients join as one more member: `| { kind: 'oauth_client'; id: string }`.
 */
export type ActingClient = { kind: 'agent_token'; id: string } | { kind: 'oauth_client'; id: string };

/**
 * Who made a change, as the edge established it: the user whose todos they are, the
 * interface, and the client acting for them (none when the person acts themself).
 */
export interface Actor {
  userId: string;
  via: Via;
  client?: ActingClient | undefined;
}

/**
 * What happened to a todo. `completed` and `reopened` name an update that changed
 * `completed` (whatever else it changed); any other update is `updated`.
 */
export type ActivityAction = 'created' | 'updated' | 'completed' | 'reopened' | 'deleted';

/** One change as the activity log records it: ids and field names, never the values. */
export interface ActivityEntry {
  /**
   * Position in the user's own log: 1, 2, 3, ... in the order the changes committed. Each
   * write increments the user's counter in its own transaction, so the order holds across
   * processes sharing one database, and it is what SSE sends as `id:` and resumes from.
   */
  id: number;
  at: string;
  todoId: string;
  action: ActivityAction;
  /** The fields whose value changed, in the order of TodoFields; empty for created and deleted. */
  fields: (keyof TodoFields)[];
  /** The todo's version after the change (for deleted: the version it was deleted at). */
  version: number;
  via: Via;
  /** The acting client with its name as it was when the change was made; null for the person. */
  client: (ActingClient & { name: string | null }) | null;
}

/** What every write records beside the change: who, when, and how much of the log to keep. */
export interface WriteContext {
  actor: Actor;
  at: string;
  /** Entries kept per user: the oldest beyond this are deleted as new ones are written. */
  keepActivity: number;
}

/** A todo as a write left it, and the activity entry that records the write. */
export interface RecordedTodo {
  todo: Todo;
  entry: ActivityEntry;
}

export interface TodoRepository {
  list(userId: string, query: TodoQuery): Promise<Todo[]>;
  get(userId: string, id: string): Promise<Todo | undefined>;
  /**
   * Every write below records its activity entry in the same transaction: a crash keeps both
   * or neither. Inserts unless the user already owns `maxPerUser` todos; undefined when full.
   */
  insert(context: WriteContext, todo: Todo, maxPerUser: number): Promise<RecordedTodo | undefined>;
  /**
   * Applies `fields`, bumps the version and sets `updatedAt` to the context's time, only if the
   * todo exists for this user and (when given) its version equals `expectedVersion`.
   */
  update(
    context: WriteContext,
    id: string,
    fields: TodoChanges,
    expectedVersion?: number,
  ): Promise<RecordedTodo | undefined>;
  /** Same conditions as update; undefined when nothing was deleted. */
  delete(context: WriteContext, id: string, expectedVersion?: number): Promise<ActivityEntry | undefined>;
}

export interface ActivityQuery {
  todoId?: string | undefined;
  /** Entries with an id below this one (the next page, newest first). */
  before?: number | undefined;
  limit: number;
}

/** Where a user's log stands: the last id written, and the oldest still kept (null when none is). */
export interface ActivityBounds {
  latest: number;
  oldest: number | null;
}

/** One entry of one user's log: what a write announces to other processes (ChangeSignals). */
export interface ActivityRef {
  userId: string;
  /** The entry's id in the user's log. */
  id: number;
}

export interface ActivityRepository {
  /** The user's entries, newest first. */
  list(userId: string, query: ActivityQuery): Promise<ActivityEntry[]>;
  /** The entries named, with their user, for those still kept (in no particular order). */
  find(refs: readonly ActivityRef[]): Promise<{ userId: string; entry: ActivityEntry }[]>;
  /** The user's entries with an id above `afterId`, oldest first: what a resumed stream missed. */
  after(userId: string, afterId: number, limit: number): Promise<ActivityEntry[]>;
  bounds(userId: string): Promise<ActivityBounds>;
  /** Deletes up to `limit` entries, whoever they belong to, written before `cutoff`; returns how many. */
  pruneOlderThan(cutoff: string, limit: number): Promise<number>;
}

export interface AgentToken {
  id: string;
  name: string;
  scopes: string[];
  audience: ('api' | 'mcp')[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AgentTokenRepository {
  /** Stores the token unless the user already holds `maxActive` unrevoked, unexpired ones; undefined then. */
  insert(userId: string, token: AgentToken, maxActive: number): Promise<AgentToken | undefined>;
  /** Every token of the user, newest first, revoked and expired ones included. */
  list(userId: string): Promise<AgentToken[]>;
  /** The token when it belongs to the user, is not revoked and has not expired at `now`. */
  findActive(userId: string, id: string, now: string): Promise<AgentToken | undefined>;
  /** Marks the user's token revoked (once); false when the user has no such token. */
  revoke(userId: string, id: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

export interface HealthProbe {
  /**
   * Resolves when the store takes a real write and is still the storage it opened; rejects
   * otherwise (UnavailableError when the storage is failing).
   */
  check(): Promise<void>;
}

// --- The OAuth authorization server's state. Secrets (codes, refresh tokens, session ids)
// are stored only as SHA-256 hashes: a copy of the database grants nothing by itself.

/** A client, registered dynamically (RFC 7591) or described by a client ID metadata document. */
export interface OAuthClient {
  /** A random id for registered clients; the document's https URL for metadata documents. */
  id: string;
  source: 'registration' | 'metadata_document';
  name: string | null;
  /** The client's home page, when it gave one. */
  uri: string | null;
  /** Only the redirect URIs our rules accept (https, or http on a loopback host). */
  redirectUris: string[];
  createdAt: string;
  /**
   * Registered clients: the moment an unused registration lapses (null once a grant used it).
   * Metadata documents: the moment the cached copy must be fetched again.
   */
  expiresAt: string | null;
}

export interface OAuthClientRepository {
  find(id: string): Promise<OAuthClient | undefined>;
  /** Stores a dynamically registered client. */
  insert(client: OAuthClient): Promise<void>;
  /** Stores or refreshes the cached copy of a metadata document. */
  upsertDocument(client: OAuthClient): Promise<void>;
  /** A registered client was used for a grant: it no longer lapses. */
  keep(id: string): Promise<void>;
  /** Deletes clients that lapsed before `now` and that no grant refers to. */
  purgeLapsed(now: string): Promise<void>;
}

/** The resources an OAuth access token can be issued for. */
export type OAuthResource = 'api' | 'mcp';

/** A person's authorization of one client: its refresh tokens and access tokens live under it. */
export interface OAuthGrant {
  id: string;
  userId: string;
  clientId: string;
  scopes: string[];
  resources: OAuthResource[];
  createdAt: string;
  /** Moves forward on every refresh: a grant whose client stops refreshing lapses. */
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A grant as listed to the person who gave it, with what we know of the client. */
export interface OAuthGrantView extends OAuthGrant {
  clientName: string | null;
  clientUri: string | null;
}

/** One authorization code: single use, short-lived, bound to everything the request said. */
export interface AuthorizationCodeRecord {
  codeHash: string;
  /** The grant the code becomes when it is exchanged: chosen up front so a replay can revoke it. */
  grantId: string;
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  scopes: string[];
  resources: OAuthResource[];
  createdAt: string;
  expiresAt: string;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  grantId: string;
  createdAt: string;
  expiresAt: string;
}

export type RefreshRotation =
  | { outcome: 'rotated'; grant: OAuthGrant }
  /** The token had been used before: someone holds a copy. */
  | { outcome: 'replayed'; grantId: string }
  /** Unknown, expired, of a revoked or lapsed grant, or of another client. */
  | { outcome: 'invalid' };

export interface AuthorizationCodeRepository {
  insert(code: AuthorizationCodeRecord): Promise<void>;
  /**
   * Marks the code used and returns it. A code used before is marked replayed instead and
   * comes back with `replayed: true`; an unknown code is undefined.
   */
  consume(
    codeHash: string,
    at: string,
  ): Promise<{ code: AuthorizationCodeRecord; replayed: boolean } | undefined>;
  purgeExpired(now: string): Promise<void>;
}

/** What became of a grant's creation; only `created` wrote anything. */
export type GrantCreation = 'created' | 'code_replayed' | 'over_cap';

export interface OAuthGrantRepository {
  /**
   * Creates the grant with its first refresh token, unless the code it comes from was replayed
   * in the meantime, or its user already holds `maxActive` active grants (counted at the
   * grant's createdAt). Concurrent creations for one user never pass the cap together.
   */
  create(
    grant: OAuthGrant,
    refreshToken: RefreshTokenRecord,
    fromCodeHash: string,
    maxActive: number,
  ): Promise<GrantCreation>;
  /** How many grants of the person are neither revoked nor lapsed at `now`. */
  countActive(userId: string, now: string): Promise<number>;
  /** The grant when it is neither revoked nor lapsed at `now`: the check on every request. */
  findActive(id: string, now: string): Promise<OAuthGrant | undefined>;
  /** The person's grants that are neither revoked nor lapsed at `now`, newest first. */
  listActive(userId: string, now: string): Promise<OAuthGrantView[]>;
  /** The grant in whatever state it is. */
  find(id: string): Promise<OAuthGrant | undefined>;
  /**
   * Revokes the grant when `userId` holds it, once: its refresh tokens and access tokens stop
   * working. Another person's grant is left as it is, whoever calls.
   */
  revoke(userId: string, id: string, at: string): Promise<void>;
  /**
   * Swaps a refresh token of `clientId` for `next` in one step: the old one is marked used,
   * the grant's lapse moves to `next.expiresAt`. A token that was used before is reported
   * as replayed and changes nothing.
   */
  rotateRefreshToken(
    tokenHash: string,
    clientId: string,
    next: Omit<RefreshTokenRecord, 'grantId'>,
    now: string,
  ): Promise<RefreshRotation>;
  /** The grant a refresh token belongs to, whether the token was used or not (for revocation). */
  findByRefreshToken(tokenHash: string): Promise<OAuthGrant | undefined>;
  touch(id: string, at: string): Promise<void>;
  /**
   * Deletes refresh tokens that expired before `now`, and grants that were revoked or lapsed
   * before `deadGrantsBefore`, with all their refresh tokens.
   */
  purgeExpired(now: string, deadGrantsBefore: string): Promise<void>;
}

/** What a person allowed a client once, so the consent page can be skipped next time. */
export interface OAuthConsent {
  userId: string;
  clientId: string;
  scopes: string[];
  resources: OAuthResource[];
  createdAt: string;
}

export interface OAuthConsentRepository {
  find(userId: string, clientId: string): Promise<OAuthConsent | undefined>;
  save(consent: OAuthConsent): Promise<void>;
  forget(userId: string, clientId: string): Promise<void>;
}

/** A person signed in on our pages (the cookie holds the id; we keep only its hash). */
export interface WebSession {
  idHash: string;
  userId: string;
  createdAt: string;
  expiresAt: string;
}

export interface WebSessionRepository {
  insert(session: WebSession): Promise<void>;
  findActive(idHash: string, now: string): Promise<WebSession | undefined>;
  delete(idHash: string): Promise<void>;
  purgeExpired(now: string): Promise<void>;
}

/** Fetches a client ID metadata document; the caller validates what it says. */
export interface ClientMetadataSource {
  /**
   * The parsed JSON body of a 200 answer. Rejects with ClientMetadataFetchError when the URL's
   * host is not allowed, the answer is slow, large, redirected, not 200 or not JSON.
   */
  fetch(url: string): Promise<unknown>;
}

export class ClientMetadataFetchError extends Error {
  override name = 'ClientMetadataFetchError';
}

/**
 * One token bucket of a rate limit kept in the database, so that every process sharing it
 * spends the same budget. Times are milliseconds since the epoch.
 */
export interface BucketState {
  /** Events left at `at` (fractional while refilling). */
  tokens: number;
  at: number;
  /** Attempts admitted and not yet settled (the login throttle's); void after `pendingUntil`. */
  pending: number;
  pendingUntil: number;
}

/** A bucket's shape: `capacity` events at once, refilled evenly over `windowMs`. */
export interface BucketPolicy {
  capacity: number;
  windowMs: number;
}

export type SpendOutcome = { spent: true } | { spent: false; bucket: BucketState };

/**
 * Rate-limit state shared across processes (PostgreSQL). The rules live in the services
 * (rate-limiter.ts, login-throttle.ts); this stores buckets and changes them atomically.
 */
export interface LimitRepository {
  /** Spends one event of `key`'s bucket if it holds one, in one atomic step; else reports its state. */
  spend(key: string, policy: BucketPolicy, now: number): Promise<SpendOutcome>;
  /**
   * Reads the buckets of `keys` with no other process able to change them meanwhile, passes
   * them to `change` (a missing bucket is absent from the map), and stores the states it
   * returns (null deletes one), all in one transaction. `change` may run again on a retry.
   */
  update<T>(keys: readonly string[], change: BucketChange<T>): Promise<T>;
}

/** Given the buckets found, the states to store (absent: unchanged; null: delete) and a result. */
export type BucketChange<T> = (buckets: ReadonlyMap<string, BucketState>) => {
  /** `expiresAt`: when the bucket is full again with nothing pending, so it may be forgotten. */
  next: ReadonlyMap<string, (BucketState & { expiresAt: number }) | null>;
  result: T;
};

/**
 * Announcements of committed changes between the processes that share one database (PostgreSQL
 * LISTEN/NOTIFY). A write announces its activity entry inside its own transaction, so that an
 * announcement arrives only once the change is committed, and in commit order; it names the
 * entry (ids only), which a receiver reads from the log if it wants it.
 */
export interface ChangeSignals {
  /**
   * Starts receiving on a connection of its own (once per process). `announced` gets the
   * announcements as they arrive, a few at a time; `lost` is called once a broken connection
   * is back: what was announced in between never arrives.
   */
  listen(receiver: { announced(refs: readonly ActivityRef[]): void; lost(): void }): void;
}

/** Every repository of one database, chosen once from the configuration (open-store.ts). */
export interface Store {
  readonly engine: 'sqlite' | 'postgres';
  readonly users: UserRepository;
  readonly todos: TodoRepository;
  readonly activity: ActivityRepository;
  readonly agentTokens: AgentTokenRepository;
  readonly oauthClients: OAuthClientRepository;
  readonly authorizationCodes: AuthorizationCodeRepository;
  readonly oauthGrants: OAuthGrantRepository;
  readonly oauthConsents: OAuthConsentRepository;
  readonly webSessions: WebSessionRepository;
  readonly health: HealthProbe;
  /** Rate limits shared by every process; undefined where one process holds all state (SQLite). */
  readonly limits: LimitRepository | undefined;
  /** Changes announced across processes; undefined where one process makes every change (SQLite). */
  readonly changeSignals: ChangeSignals | undefined;
  close(): Promise<void>;
}
