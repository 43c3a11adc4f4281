import type { AuthorizationCodeRecord, AuthorizationCodeRepository, OAuthResource } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface CodeRow {
  code_hash: string;
  grant_id: string;
  user_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  scopes: string[];
  resources: OAuthResource[];
  created_at: string;
  expires_at: string;
}

const COLUMNS = `code_hash, grant_id, user_id, client_id, redirect_uri, code_challenge, scopes, resources,
  ${isoTime('created_at')} AS created_at, ${isoTime('expires_at')} AS expires_at`;

const INSERT = statement(
  `INSERT INTO oauth_codes
     (code_hash, grant_id, user_id, client_id, redirect_uri, code_challenge, scopes, resources, created_at, expires_at)
   VALUES ($1, $2, $3, $4, $5, $6, $7::text[], $8::text[], $9::timestamptz, $10::timestamptz)`,
);
// Single use under concurrency: each of these is one atomic statement. Two exchanges of one
// code both reach CONSUME; the second waits for the first's row lock, then finds consumed_at
// set and changes nothing, so exactly one of them gets the code as unused.
const CONSUME = statement(
  `UPDATE oauth_codes SET consumed_at = $2::timestamptz WHERE code_hash = $1 AND consumed_at IS NULL
   RETURNING ${COLUMNS}`,
);
const MARK_REPLAYED = statement(
  `UPDATE oauth_codes SET replayed_at = coalesce(replayed_at, $2::timestamptz) WHERE code_hash = $1
   RETURNING ${COLUMNS}`,
);
// A used code is kept until it expires, so that a replay within its life is recognised.
const PURGE = statement('DELETE FROM oauth_codes WHERE expires_at < $1::timestamptz');

const toCode = (row: CodeRow): AuthorizationCodeRecord => ({
  codeHash: row.code_hash,
  grantId: row.grant_id,
  userId: row.user_id,
  clientId: row.client_id,
  redirectUri: row.redirect_uri,
  codeChallenge: row.code_challenge,
  scopes: row.scopes,
  resources: row.resources,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export class PostgresAuthorizationCodeRepository implements AuthorizationCodeRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async insert(code: AuthorizationCodeRecord): Promise<void> {
    await this.#db.rows(INSERT, [
      code.codeHash,
      code.grantId,
      code.userId,
      code.clientId,
      code.redirectUri,
      code.codeChallenge,
      code.scopes,
      code.resources,
      code.createdAt,
      code.expiresAt,
    ]);
  }

  async consume(
    codeHash: string,
    at: string,
  ): Promise<{ code: AuthorizationCodeRecord; replayed: boolean } | undefined> {
    if (holdsNul(codeHash)) return undefined;
    const [fresh] = await this.#db.rows<CodeRow>(CONSUME, [codeHash, at]);
    if (fresh) return { code: toCode(fresh), replayed: false };
    const [used] = await this.#db.rows<CodeRow>(MARK_REPLAYED, [codeHash, at]);
    return used && { code: toCode(used), replayed: true };
  }

  async purgeExpired(now: string): Promise<void> {
    await this.#db.rows(PURGE, [now]);
  }
}
