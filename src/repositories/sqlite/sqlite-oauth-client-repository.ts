import type { OAuthClient, OAuthClientRepository } from '../types.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface ClientRow {
  id: string;
  source: OAuthClient['source'];
  name: string | null;
  uri: string | null;
  redirect_uris: string;
  created_at: string;
  expires_at: string | null;
}

const COLUMNS = 'id, source, name, uri, redirect_uris, created_at, expires_at';

const toClient = (row: ClientRow): OAuthClient => ({
  id: row.id,
  source: row.source,
  name: row.name,
  uri: row.uri,
  redirectUris: JSON.parse(row.redirect_uris) as string[],
  createdAt: row.created_at,
  expiresAt: row.expires_at,
});

const toRow = (client: OAuthClient): ClientRow => ({
  id: client.id,
  source: client.source,
  name: client.name,
  uri: client.uri,
  redirect_uris: JSON.stringify(client.redirectUris),
  created_at: client.createdAt,
  expires_at: client.expiresAt,
});

export class SqliteOAuthClientRepository implements OAuthClientRepository {
  readonly #connection: SqliteConnection;
  readonly #find;
  readonly #insert;
  readonly #upsertDocument;
  readonly #keep;
  readonly #purge;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#find = db.prepare<[string], ClientRow>(`SELECT ${COLUMNS} FROM oauth_clients WHERE id = ?`);
    this.#insert = db.prepare(
      `INSERT INTO oauth_clients (${COLUMNS})
       VALUES (@id, @source, @name, @uri, @redirect_uris, @created_at, @expires_at)`,
    );
    // A document keeps its first-seen time; what it says and when it goes stale are replaced.
    this.#upsertDocument = db.prepare(
      `INSERT INTO oauth_clients (${COLUMNS})
       VALUES (@id, @source, @name, @uri, @redirect_uris, @created_at, @expires_at)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, uri = excluded.uri,
         redirect_uris = excluded.redirect_uris, expires_at = excluded.expires_at
       WHERE oauth_clients.source = 'metadata_document'`,
    );
    this.#keep = db.prepare<[string]>(
      `UPDATE oauth_clients SET expires_at = NULL WHERE id = ? AND source = 'registration'`,
    );
    this.#purge = db.prepare<[string]>(
      `DELETE FROM oauth_clients
       WHERE expires_at < ? AND NOT EXISTS (SELECT 1 FROM oauth_grants WHERE client_id = oauth_clients.id)`,
    );
  }

  async find(id: string): Promise<OAuthClient | undefined> {
    const row = this.#connection.read(() => this.#find.get(id));
    return row && toClient(row);
  }

  async insert(client: OAuthClient): Promise<void> {
    this.#connection.write(() => this.#insert.run(toRow(client)));
  }

  async upsertDocument(client: OAuthClient): Promise<void> {
    this.#connection.write(() => this.#upsertDocument.run(toRow(client)));
  }

  async keep(id: string): Promise<void> {
    this.#connection.write(() => this.#keep.run(id));
  }

  async purgeLapsed(now: string): Promise<void> {
    this.#connection.write(() => this.#purge.run(now));
  }
}
