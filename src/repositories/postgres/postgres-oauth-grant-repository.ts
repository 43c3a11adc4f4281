import type {
  GrantCreation,
  OAuthGrant,
  OAuthGrantRepository,
  OAuthGrantView,
  OAuthResource,
  RefreshRotation,
  RefreshTokenRecord,
} from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface GrantRow {
  id: string;
  user_id: string;
  client_id: string;
  scopes: string[];
  resources: OAuthResource[];
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

interface GrantViewRow extends GrantRow {
  client_name: string | null;
  client_uri: string | null;
}

/** The grant columns of `alias` as GrantRow names them. */
const grantColumns = (alias: string) =>
  `${alias}.id, ${alias}.user_id, ${alias}.client_id, ${alias}.scopes, ${alias}.resources,
   ${isoTime(`${alias}.created_at`)} AS created_at, ${isoTime(`${alias}.expires_at`)} AS expires_at,
   ${isoTime(`${alias}.last_used_at`)} AS last_used_at, ${isoTime(`${alias}.revoked_at`)} AS revoked_at`;

// The user's row lock makes "count the active grants, then insert" one step for that user:
// without it two concurrent exchanges could both see 49 of 50 and both insert. It is its own
// statement so that CREATE, which follows, counts from a snapshot taken after the lock.
const LOCK_USER = statement('SELECT id FROM users WHERE id = $1 FOR UPDATE');
// The grant and its first refresh token, unless the code was replayed meanwhile or the user is
// at the cap. The code's row is locked first: a replay marking it (CONSUME's second statement)
// waits for this statement to commit, and then revokes the grant it finds; a replay marked
// before makes this insert nothing. A code already purged (expired) blocks nothing, as on SQLite.
const CREATE = statement(
  `WITH code AS (
     SELECT replayed_at FROM oauth_codes WHERE code_hash = $1 FOR UPDATE
   ),
   replayed AS (
     SELECT EXISTS (SELECT 1 FROM code WHERE replayed_at IS NOT NULL) AS yes
   ),
   grant_row AS (
     INSERT INTO oauth_grants (id, user_id, client_id, scopes, resources, created_at, expires_at, last_used_at)
     SELECT $2, $3, $4, $5::text[], $6::text[], $7::timestamptz, $8::timestamptz, $9::timestamptz
     WHERE NOT (SELECT yes FROM replayed)
       AND (SELECT count(*) FROM oauth_grants
            WHERE user_id = $3 AND revoked_at IS NULL AND expires_at > $7::timestamptz) < $13
     RETURNING id
   ),
   refresh AS (
     INSERT INTO oauth_refresh_tokens (token_hash, grant_id, created_at, expires_at)
     SELECT $10, grant_row.id, $11::timestamptz, $12::timestamptz FROM grant_row
     RETURNING grant_id
   )
   SELECT CASE WHEN EXISTS (SELECT 1 FROM refresh) THEN 'created'
               WHEN (SELECT yes FROM replayed) THEN 'code_replayed'
               ELSE 'over_cap' END AS outcome`,
);
const COUNT_ACTIVE = statement(
  `SELECT count(*)::int AS n FROM oauth_grants
   WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2::timestamptz`,
);
// The check on every request that carries an OAuth access token: one primary-key read.
const FIND_ACTIVE = statement(
  `SELECT ${grantColumns('g')} FROM oauth_grants g
   WHERE g.id = $1 AND g.revoked_at IS NULL AND g.expires_at > $2::timestamptz`,
);
const LIST_ACTIVE = statement(
  `SELECT ${grantColumns('g')}, c.name AS client_name, c.uri AS client_uri
   FROM oauth_grants g JOIN oauth_clients c ON c.id = g.client_id
   WHERE g.user_id = $1 AND g.revoked_at IS NULL AND g.expires_at > $2::timestamptz
   ORDER BY g.created_at DESC, g.id DESC`,
);
const FIND = statement(`SELECT ${grantColumns('g')} FROM oauth_grants g WHERE g.id = $1`);
const REVOKE = statement(
  'UPDATE oauth_grants SET revoked_at = $1::timestamptz WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL',
);
// Rotation holds the token's row from this read to the commit: of two processes presenting one
// refresh token at once, the second waits here, then reads it used (replayed) and changes nothing.
const REFRESH_ROW_LOCKED = statement(
  `SELECT ${grantColumns('g')}, t.used_at IS NOT NULL AS used, t.expires_at <= $2::timestamptz AS token_expired,
     g.expires_at <= $2::timestamptz AS grant_lapsed
   FROM oauth_refresh_tokens t JOIN oauth_grants g ON g.id = t.grant_id
   WHERE t.token_hash = $1 FOR UPDATE OF t`,
);
const BY_REFRESH_TOKEN = statement(
  `SELECT ${grantColumns('g')} FROM oauth_refresh_tokens t JOIN oauth_grants g ON g.id = t.grant_id
   WHERE t.token_hash = $1`,
);
const MARK_USED = statement(
  'UPDATE oauth_refresh_tokens SET used_at = $1::timestamptz WHERE token_hash = $2',
);
const INSERT_REFRESH = statement(
  `INSERT INTO oauth_refresh_tokens (token_hash, grant_id, created_at, expires_at)
   VALUES ($1, $2, $3::timestamptz, $4::timestamptz)`,
);
const EXTEND = statement(
  'UPDATE oauth_grants SET expires_at = $1::timestamptz, last_used_at = $2::timestamptz WHERE id = $3',
);
const TOUCH = statement('UPDATE oauth_grants SET last_used_at = $1::timestamptz WHERE id = $2');
const PURGE = statement('DELETE FROM oauth_refresh_tokens WHERE expires_at < $1::timestamptz');
// Their refresh tokens go with them (ON DELETE CASCADE). Two statements, one index each.
const PURGE_REVOKED = statement('DELETE FROM oauth_grants WHERE revoked_at < $1::timestamptz');
const PURGE_LAPSED = statement('DELETE FROM oauth_grants WHERE expires_at < $1::timestamptz');

type RefreshRow = GrantRow & { used: boolean; token_expired: boolean; grant_lapsed: boolean };

const toGrant = (row: GrantRow): OAuthGrant => ({
  id: row.id,
  userId: row.user_id,
  clientId: row.client_id,
  scopes: row.scopes,
  resources: row.resources,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class PostgresOAuthGrantRepository implements OAuthGrantRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(
    grant: OAuthGrant,
    refreshToken: RefreshTokenRecord,
    fromCodeHash: string,
    maxActive: number,
  ): Promise<GrantCreation> {
    return this.#db.transaction(async (tx) => {
      await tx.rows(LOCK_USER, [grant.userId]);
      const [row] = await tx.rows<{ outcome: GrantCreation }>(CREATE, [
        fromCodeHash,
        grant.id,
        grant.userId,
        grant.clientId,
        grant.scopes,
        grant.resources,
        grant.createdAt,
        grant.expiresAt,
        grant.lastUsedAt,
        refreshToken.tokenHash,
        refreshToken.createdAt,
        refreshToken.expiresAt,
        maxActive,
      ]);
      if (row === undefined) throw new Error('the grant creation answered no row');
      return row.outcome;
    });
  }

  async countActive(userId: string, now: string): Promise<number> {
    const [row] = await this.#db.rows<{ n: number }>(COUNT_ACTIVE, [userId, now]);
    return row?.n ?? 0;
  }

  async findActive(id: string, now: string): Promise<OAuthGrant | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<GrantRow>(FIND_ACTIVE, [id, now]);
    return row && toGrant(row);
  }

  async listActive(userId: string, now: string): Promise<OAuthGrantView[]> {
    const rows = await this.#db.rows<GrantViewRow>(LIST_ACTIVE, [userId, now]);
    return rows.map((row) => ({ ...toGrant(row), clientName: row.client_name, clientUri: row.client_uri }));
  }

  async find(id: string): Promise<OAuthGrant | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<GrantRow>(FIND, [id]);
    return row && toGrant(row);
  }

  async revoke(userId: string, id: string, at: string): Promise<void> {
    if (holdsNul(id)) return;
    await this.#db.rows(REVOKE, [at, id, userId]);
  }

  async rotateRefreshToken(
    tokenHash: string,
    clientId: string,
    next: Omit<RefreshTokenRecord, 'grantId'>,
    now: string,
  ): Promise<RefreshRotation> {
    if (holdsNul(tokenHash)) return { outcome: 'invalid' };
    return this.#db.transaction(async (tx): Promise<RefreshRotation> => {
      const [row] = await tx.rows<RefreshRow>(REFRESH_ROW_LOCKED, [tokenHash, now]);
      if (!row || row.client_id !== clientId) return { outcome: 'invalid' };
      if (row.used) return { outcome: 'replayed', grantId: row.id };
      if (row.revoked_at !== null || row.grant_lapsed || row.token_expired) return { outcome: 'invalid' };
      await tx.rows(MARK_USED, [now, tokenHash]);
      await tx.rows(INSERT_REFRESH, [next.tokenHash, row.id, next.createdAt, next.expiresAt]);
      await tx.rows(EXTEND, [next.expiresAt, now, row.id]);
      return { outcome: 'rotated', grant: { ...toGrant(row), expiresAt: next.expiresAt, lastUsedAt: now } };
    });
  }

  async findByRefreshToken(tokenHash: string): Promise<OAuthGrant | undefined> {
    if (holdsNul(tokenHash)) return undefined;
    const [row] = await this.#db.rows<GrantRow>(BY_REFRESH_TOKEN, [tokenHash]);
    return row && toGrant(row);
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#db.rows(TOUCH, [at, id]);
  }

  async purgeExpired(now: string, deadGrantsBefore: string): Promise<void> {
    await this.#db.rows(PURGE, [now]);
    await this.#db.rows(PURGE_REVOKED, [deadGrantsBefore]);
    await this.#db.rows(PURGE_LAPSED, [deadGrantsBefore]);
  }
}
