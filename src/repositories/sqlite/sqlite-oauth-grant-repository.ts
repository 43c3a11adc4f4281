import type {
  GrantCreation,
  OAuthGrant,
  OAuthGrantRepository,
  OAuthGrantView,
  OAuthResource,
  RefreshRotation,
  RefreshTokenRecord,
} from '../types.ts';
import type { Db } from './database.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface GrantRow {
  id: string;
  user_id: string;
  client_id: string;
  scopes: string;
  resources: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface GrantViewRow extends GrantRow {
  client_name: string | null;
  client_uri: string | null;
}

const COLUMNS = 'id, user_id, client_id, scopes, resources, created_at, expires_at, last_used_at, revoked_at';
const G_COLUMNS = COLUMNS.split(', ')
  .map((column) => `g.${column}`)
  .join(', ');

const toGrant = (row: GrantRow): OAuthGrant => ({
  id: row.id,
  userId: row.user_id,
  clientId: row.client_id,
  scopes: row.scopes.split(' '),
  resources: row.resources.split(' ') as OAuthResource[],
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class SqliteOAuthGrantRepository implements OAuthGrantRepository {
  readonly #connection: SqliteConnection;
  readonly #db: Db;
  readonly #codeReplayed;
  readonly #countActive;
  readonly #insertGrant;
  readonly #insertRefresh;
  readonly #findActive;
  readonly #listActive;
  readonly #find;
  readonly #revoke;
  readonly #refreshRow;
  readonly #markUsed;
  readonly #extend;
  readonly #touch;
  readonly #purge;
  readonly #purgeRevoked;
  readonly #purgeLapsed;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#db = db;
    this.#codeReplayed = db.prepare<[string], number>(
      'SELECT 1 FROM oauth_codes WHERE code_hash = ? AND replayed_at IS NOT NULL',
    );
    this.#countActive = db.prepare<[string, string], number>(
      'SELECT count(*) FROM oauth_grants WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?',
    );
    this.#insertGrant = db.prepare(
      `INSERT INTO oauth_grants (id, user_id, client_id, scopes, resources, created_at, expires_at, last_used_at)
       VALUES (@id, @userId, @clientId, @scopes, @resources, @createdAt, @expiresAt, @lastUsedAt)`,
    );
    this.#insertRefresh = db.prepare(
      `INSERT INTO oauth_refresh_tokens (token_hash, grant_id, created_at, expires_at)
       VALUES (@tokenHash, @grantId, @createdAt, @expiresAt)`,
    );
    // The check on every request that carries an OAuth access token: one primary-key read.
    this.#findActive = db.prepare<[string, string], GrantRow>(
      `SELECT ${COLUMNS} FROM oauth_grants WHERE id = ? AND revoked_at IS NULL AND expires_at > ?`,
    );
    this.#listActive = db.prepare<[string, string], GrantViewRow>(
      `SELECT ${G_COLUMNS}, c.name AS client_name, c.uri AS client_uri
       FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id
       WHERE g.user_id = ? AND g.revoked_at IS NULL AND g.expires_at > ?
       ORDER BY g.created_at DESC, g.id DESC`,
    );
    this.#find = db.prepare<[string], GrantRow>(`SELECT ${COLUMNS} FROM oauth_grants WHERE id = ?`);
    this.#revoke = db.prepare<[string, string, string]>(
      'UPDATE oauth_grants SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
    );
    this.#refreshRow = db.prepare<[string], GrantRow & { used_at: string | null; token_expires_at: string }>(
      `SELECT ${G_COLUMNS}, t.used_at, t.expires_at AS token_expires_at
       FROM oauth_refresh_tokens t JOIN oauth_grants g ON g.id = t.grant_id
       WHERE t.token_hash = ?`,
    );
    this.#markUsed = db.prepare<[string, string]>(
      'UPDATE oauth_refresh_tokens SET used_at = ? WHERE token_hash = ?',
    );
    this.#extend = db.prepare<[string, string, string]>(
      'UPDATE oauth_grants SET expires_at = ?, last_used_at = ? WHERE id = ?',
    );
    this.#touch = db.prepare<[string, string]>('UPDATE oauth_grants SET last_used_at = ? WHERE id = ?');
    this.#purge = db.prepare<[string]>('DELETE FROM oauth_refresh_tokens WHERE expires_at < ?');
    // Their refresh tokens go with them (ON DELETE CASCADE). Two statements, one index each.
    this.#purgeRevoked = db.prepare<[string]>('DELETE FROM oauth_grants WHERE revoked_at < ?');
    this.#purgeLapsed = db.prepare<[string]>('DELETE FROM oauth_grants WHERE expires_at < ?');
  }

  async create(
    grant: OAuthGrant,
    refreshToken: RefreshTokenRecord,
    fromCodeHash: string,
    maxActive: number,
  ): Promise<GrantCreation> {
    // One transaction on the one connection: nothing can come between the count and the insert.
    return this.#connection.write(() =>
      this.#db.transaction((): GrantCreation => {
        if (this.#codeReplayed.get(fromCodeHash) !== undefined) return 'code_replayed';
        if ((this.#countActive.pluck().get(grant.userId, grant.createdAt) ?? 0) >= maxActive)
          return 'over_cap';
        this.#insertGrant.run({
          ...grant,
          scopes: grant.scopes.join(' '),
          resources: grant.resources.join(' '),
        });
        this.#insertRefresh.run(refreshToken);
        return 'created';
      })(),
    );
  }

  async countActive(userId: string, now: string): Promise<number> {
    return this.#connection.read(() => this.#countActive.pluck().get(userId, now)) ?? 0;
  }

  async findActive(id: string, now: string): Promise<OAuthGrant | undefined> {
    const row = this.#connection.read(() => this.#findActive.get(id, now));
    return row && toGrant(row);
  }

  async listActive(userId: string, now: string): Promise<OAuthGrantView[]> {
    return this.#connection
      .read(() => this.#listActive.all(userId, now))
      .map((row) => ({
        ...toGrant(row),
        clientName: row.client_name,
        clientUri: row.client_uri,
      }));
  }

  async find(id: string): Promise<OAuthGrant | undefined> {
    const row = this.#connection.read(() => this.#find.get(id));
    return row && toGrant(row);
  }

  async revoke(userId: string, id: string, at: string): Promise<void> {
    this.#connection.write(() => this.#revoke.run(at, id, userId));
  }

  async rotateRefreshToken(
    tokenHash: string,
    clientId: string,
    next: Omit<RefreshTokenRecord, 'grantId'>,
    now: string,
  ): Promise<RefreshRotation> {
    return this.#connection.write(() =>
      this.#db.transaction((): RefreshRotation => {
        const row = this.#refreshRow.get(tokenHash);
        if (!row || row.client_id !== clientId) return { outcome: 'invalid' };
        if (row.used_at !== null) return { outcome: 'replayed', grantId: row.id };
        if (row.revoked_at !== null || row.expires_at <= now || row.token_expires_at <= now) {
          return { outcome: 'invalid' };
        }
        this.#markUsed.run(now, tokenHash);
        this.#insertRefresh.run({ ...next, grantId: row.id });
        this.#extend.run(next.expiresAt, now, row.id);
        return { outcome: 'rotated', grant: { ...toGrant(row), expiresAt: next.expiresAt, lastUsedAt: now } };
      })(),
    );
  }

  async findByRefreshToken(tokenHash: string): Promise<OAuthGrant | undefined> {
    const row = this.#connection.read(() => this.#refreshRow.get(tokenHash));
    return row && toGrant(row);
  }

  async touch(id: string, at: string): Promise<void> {
    this.#connection.write(() => this.#touch.run(at, id));
  }

  async purgeExpired(now: string, deadGrantsBefore: string): Promise<void> {
    this.#connection.write(() =>
      this.#db.transaction(() => {
        this.#purge.run(now);
        this.#purgeRevoked.run(deadGrantsBefore);
        this.#purgeLapsed.run(deadGrantsBefore);
      })(),
    );
  }
}
