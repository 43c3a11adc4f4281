import type { AuthorizationCodeRecord, AuthorizationCodeRepository, OAuthResource } from '../types.ts';
import type { Db } from './database.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface CodeRow {
  code_hash: string;
  grant_id: string;
  user_id: string;
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  scopes: string;
  resources: string;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

const COLUMNS =
  'code_hash, grant_id, user_id, client_id, redirect_uri, code_challenge, scopes, resources, created_at, expires_at';

const toCode = (row: CodeRow): AuthorizationCodeRecord => ({
  codeHash: row.code_hash,
  grantId: row.grant_id,
  userId: row.user_id,
  clientId: row.client_id,
  redirectUri: row.redirect_uri,
  codeChallenge: row.code_challenge,
  scopes: row.scopes.split(' '),
  resources: row.resources.split(' ') as OAuthResource[],
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

export class SqliteAuthorizationCodeRepository implements AuthorizationCodeRepository {
  readonly #connection: SqliteConnection;
  readonly #db: Db;
  readonly #insert;
  readonly #find;
  readonly #markConsumed;
  readonly #markReplayed;
  readonly #purge;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#db = db;
    this.#insert = db.prepare(
      `INSERT INTO oauth_codes (${COLUMNS})
       VALUES (@codeHash, @grantId, @userId, @clientId, @redirectUri, @codeChallenge, @scopes, @resources,
               @createdAt, @expiresAt)`,
    );
    this.#find = db.prepare<[string], CodeRow>(
      `SELECT ${COLUMNS}, consumed_at FROM oauth_codes WHERE code_hash = ?`,
    );
    this.#markConsumed = db.prepare<[string, string]>(
      'UPDATE oauth_codes SET consumed_at = ? WHERE code_hash = ?',
    );
    this.#markReplayed = db.prepare<[string, string]>(
      'UPDATE oauth_codes SET replayed_at = coalesce(replayed_at, ?) WHERE code_hash = ?',
    );
    // A used code is kept until it expires, so that a replay within its life is recognised.
    this.#purge = db.prepare<[string]>('DELETE FROM oauth_codes WHERE expires_at < ?');
  }

  async insert(code: AuthorizationCodeRecord): Promise<void> {
    this.#connection.write(() =>
      this.#insert.run({ ...code, scopes: code.scopes.join(' '), resources: code.resources.join(' ') }),
    );
  }

  async consume(
    codeHash: string,
    at: string,
  ): Promise<{ code: AuthorizationCodeRecord; replayed: boolean } | undefined> {
    return this.#connection.write(() =>
      this.#db.transaction(() => {
        const row = this.#find.get(codeHash);
        if (!row) return undefined;
        const replayed = row.consumed_at !== null;
        if (replayed) this.#markReplayed.run(at, codeHash);
        else this.#markConsumed.run(at, codeHash);
        return { code: toCode(row), replayed };
      })(),
    );
  }

  async purgeExpired(now: string): Promise<void> {
    this.#connection.write(() => this.#purge.run(now));
  }
}
