import type { AgentToken, AgentTokenRepository } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface AgentTokenRow {
  id: string;
  name: string;
  scopes: string[];
  audience: AgentToken['audience'];
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = `id, name, scopes, audience, ${isoTime('created_at')} AS created_at,
  ${isoTime('expires_at')} AS expires_at, ${isoTime('last_used_at')} AS last_used_at,
  ${isoTime('revoked_at')} AS revoked_at`;

// The user's row lock makes "count the live tokens, then insert" one step for that user:
// without it two concurrent mints could both see 49 of 50 and both insert.
const LOCK_USER = statement('SELECT id FROM users WHERE id = $1 FOR UPDATE');
const INSERT_UNDER_CAP = statement(
  `INSERT INTO agent_tokens (id, user_id, name, scopes, audience, created_at, expires_at, last_used_at, revoked_at)
   SELECT $1, $2, $3, $4::text[], $5::text[], $6::timestamptz, $7::timestamptz, $8::timestamptz, $9::timestamptz
   WHERE (SELECT count(*) FROM agent_tokens
          WHERE user_id = $2 AND revoked_at IS NULL AND expires_at > $6::timestamptz) < $10
   RETURNING id`,
);
const LIST = statement(
  `SELECT ${COLUMNS} FROM agent_tokens WHERE user_id = $1 ORDER BY created_at DESC, id DESC`,
);
const FIND_ACTIVE = statement(
  `SELECT ${COLUMNS} FROM agent_tokens
   WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3::timestamptz`,
);
// "Revoked now or before": true whenever the user has the token, in one round trip.
const REVOKE = statement(
  `WITH revoked AS (
     UPDATE agent_tokens SET revoked_at = $1::timestamptz WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL
   )
   SELECT id FROM agent_tokens WHERE id = $2 AND user_id = $3`,
);
const TOUCH = statement('UPDATE agent_tokens SET last_used_at = $1::timestamptz WHERE id = $2');

const toAgentToken = (row: AgentTokenRow): AgentToken => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes,
  audience: row.audience,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class PostgresAgentTokenRepository implements AgentTokenRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async insert(userId: string, token: AgentToken, maxActive: number): Promise<AgentToken | undefined> {
    return this.#db.transaction(async (tx) => {
      await tx.rows(LOCK_USER, [userId]);
      const rows = await tx.rows(INSERT_UNDER_CAP, [
        token.id,
        userId,
        token.name,
        token.scopes,
        token.audience,
        token.createdAt,
        token.expiresAt,
        token.lastUsedAt,
        token.revokedAt,
        maxActive,
      ]);
      return rows.length === 1 ? token : undefined;
    });
  }

  async list(userId: string): Promise<AgentToken[]> {
    return (await this.#db.rows<AgentTokenRow>(LIST, [userId])).map(toAgentToken);
  }

  async findActive(userId: string, id: string, now: string): Promise<AgentToken | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<AgentTokenRow>(FIND_ACTIVE, [id, userId, now]);
    return row && toAgentToken(row);
  }

  async revoke(userId: string, id: string, at: string): Promise<boolean> {
    if (holdsNul(id)) return false;
    return (await this.#db.rows(REVOKE, [at, id, userId])).length === 1;
  }

  async touch(id: string, at: string): Promise<void> {
    await this.#db.rows(TOUCH, [at, id]);
  }
}
