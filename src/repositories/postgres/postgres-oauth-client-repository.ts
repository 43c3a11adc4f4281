import type { OAuthClient, OAuthClientRepository } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface ClientRow {
  id: string;
  source: OAuthClient['source'];
  name: string | null;
  uri: string | null;
  redirect_uris: string[];
  created_at: string;
  expires_at: string | null;
}

const COLUMNS = `id, source, name, uri, redirect_uris, ${isoTime('created_at')} AS created_at,
  ${isoTime('expires_at')} AS expires_at`;
const VALUES = '$1, $2, $3, $4, $5::text[], $6::timestamptz, $7::timestamptz';

const FIND = statement(`SELECT ${COLUMNS} FROM oauth_clients WHERE id = $1`);
const INSERT = statement(
  `INSERT INTO oauth_clients (id, source, name, uri, redirect_uris, created_at, expires_at) VALUES (${VALUES})`,
);
// A document keeps its first-seen time; what it says and when it goes stale are replaced.
const UPSERT_DOCUMENT = statement(
  `INSERT INTO oauth_clients (id, source, name, uri, redirect_uris, created_at, expires_at) VALUES (${VALUES})
   ON CONFLICT (id) DO UPDATE SET name = excluded.name, uri = excluded.uri,
     redirect_uris = excluded.redirect_uris, expires_at = excluded.expires_at
   WHERE oauth_clients.source = 'metadata_document'`,
);
const KEEP = statement(
  `UPDATE oauth_clients SET expires_at = NULL WHERE id = $1 AND source = 'registration'`,
);
const PURGE = statement(
  `DELETE FROM oauth_clients
   WHERE expires_at < $1::timestamptz AND NOT EXISTS (SELECT 1 FROM oauth_grants WHERE client_id = oauth_clients.id)`,
);

const toClient = (row: ClientRow): OAuthClient => ({
  id: row.id,
  source: row.source,
  name: row.name,
  uri: row.uri,
  redirectUris: row.redirect_uris,
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const values = (client: OAuthClient) => [
  client.id,
  client.source,
  client.name,
  client.uri,
  client.redirectUris,
  client.createdAt,
  client.expiresAt,
];

export class PostgresOAuthClientRepository implements OAuthClientRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async find(id: string): Promise<OAuthClient | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<ClientRow>(FIND, [id]);
    return row && toClient(row);
  }

  async insert(client: OAuthClient): Promise<void> {
    await this.#db.rows(INSERT, values(client));
  }

  async upsertDocument(client: OAuthClient): Promise<void> {
    await this.#db.rows(UPSERT_DOCUMENT, values(client));
  }

  async keep(id: string): Promise<void> {
    await this.#db.rows(KEEP, [id]);
  }

  async purgeLapsed(now: string): Promise<void> {
    await this.#db.rows(PURGE, [now]);
  }
}
