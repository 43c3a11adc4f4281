// Builders for the repository contract suite: users and todos with overridable fields.
import { randomUUID } from 'node:crypto';
import type {
  ActingClient,
  AuthorizationCodeRecord,
  OAuthClient,
  OAuthGrant,
  RefreshTokenRecord,
  Store,
  Todo,
  User,
  Via,
  WriteContext,
} from '../../src/repositories/types.ts';

let sequence = 0;

export async function addUser(store: Store, username = `user_${++sequence}_${process.pid}`): Promise<User> {
  const user = await store.users.create({
    id: randomUUID(),
    username,
    passwordHash: 'not-a-real-hash',
    createdAt: new Date().toISOString(),
  });
  if (!user) throw new Error(`username ${username} is taken`);
  return user;
}

export function todo(overrides: Partial<Todo> = {}): Todo {
  const at = overrides.createdAt ?? new Date(Date.UTC(2026, 0, 1) + ++sequence * 1000).toISOString();
  return {
    id: randomUUID(),
    title: `todo ${sequence}`,
    description: '',
    priority: 3,
    completed: false,
    dueDate: null,
    createdAt: at,
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A write by the user themself through the API, at `at` (now unless given), keeping 1,000 entries. */
export function writeBy(
  userId: string,
  overrides: { at?: string; via?: Via; client?: ActingClient; keepActivity?: number } = {},
): WriteContext {
  return {
    actor: { userId, via: overrides.via ?? 'api', client: overrides.client },
    at: overrides.at ?? new Date().toISOString(),
    keepActivity: overrides.keepActivity ?? 1000,
  };
}

export async function addTodo(store: Store, userId: string, overrides: Partial<Todo> = {}): Promise<Todo> {
  const created = todo(overrides);
  const recorded = await store.todos.insert(
    writeBy(userId, { at: created.createdAt }),
    created,
    Number.MAX_SAFE_INTEGER,
  );
  if (!recorded) throw new Error('insert refused');
  return recorded.todo;
}

/** An ISO time `ms` after 2026-06-01T00:00:00Z: the OAuth suites' fixed clock. */
export const at = (ms = 0) => new Date(Date.UTC(2026, 5, 1) + ms).toISOString();
export const HOUR = 3_600_000;

export function oauthClient(overrides: Partial<OAuthClient> = {}): OAuthClient {
  return {
    id: randomUUID(),
    source: 'registration',
    name: 'Test host',
    uri: 'https://host.example/about',
    redirectUris: ['http://127.0.0.1:8976/callback', 'https://host.example/cb'],
    createdAt: at(),
    expiresAt: at(24 * HOUR),
    ...overrides,
  };
}

export async function addClient(store: Store, overrides: Partial<OAuthClient> = {}): Promise<OAuthClient> {
  const client = oauthClient(overrides);
  await store.oauthClients.insert(client);
  return client;
}

/** A code of `userId` for `clientId`, stored, valid for a minute from at(). */
export async function addCode(
  store: Store,
  userId: string,
  clientId: string,
  overrides: Partial<AuthorizationCodeRecord> = {},
): Promise<AuthorizationCodeRecord> {
  const code: AuthorizationCodeRecord = {
    codeHash: randomUUID().replaceAll('-', ''),
    grantId: randomUUID(),
    userId,
    clientId,
    redirectUri: 'http://127.0.0.1:8976/callback',
    codeChallenge: 'challenge',
    scopes: ['todos:read', 'todos:write'],
    resources: ['mcp'],
    createdAt: at(),
    expiresAt: at(60_000),
    ...overrides,
  };
  await store.authorizationCodes.insert(code);
  return code;
}

/** The grant a code becomes, and its first refresh token (30 days). */
export function grantFrom(code: AuthorizationCodeRecord, createdAt = at(1000)) {
  const grant: OAuthGrant = {
    id: code.grantId,
    userId: code.userId,
    clientId: code.clientId,
    scopes: code.scopes,
    resources: code.resources,
    createdAt,
    expiresAt: at(30 * 24 * HOUR),
    lastUsedAt: createdAt,
    revokedAt: null,
  };
  const refresh: RefreshTokenRecord = {
    tokenHash: randomUUID().replaceAll('-', ''),
    grantId: grant.id,
    createdAt,
    expiresAt: at(30 * 24 * HOUR),
  };
  return { grant, refresh };
}

/**
 * Opens the store's connections before a race: a pool opens them lazily (a few ms each), so
 * without this the first racer runs alone on the one connection already open and finishes
 * before the others start, and the race tests nothing.
 */
export async function warm(store: Store): Promise<void> {
  await Promise.all(Array.from({ length: 20 }, () => store.users.findById('warm-up')));
}
