import type { OAuthConsent, OAuthConsentRepository, OAuthResource } from '../types.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface ConsentRow {
  user_id: string;
  client_id: string;
  scopes: string;
  resources: string;
  created_at: string;
}

export class SqliteOAuthConsentRepository implements OAuthConsentRepository {
  readonly #connection: SqliteConnection;
  readonly #find;
  readonly #save;
  readonly #forget;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#find = db.prepare<[string, string], ConsentRow>(
      `SELECT user_id, client_id, scopes, resources, created_at FROM oauth_consents
       WHERE user_id = ? AND client_id = ?`,
    );
    this.#save = db.prepare(
      `INSERT INTO oauth_consents (user_id, client_id, scopes, resources, created_at)
       VALUES (@userId, @clientId, @scopes, @resources, @createdAt)
       ON CONFLICT (user_id, client_id) DO UPDATE SET
         scopes = excluded.scopes, resources = excluded.resources, created_at = excluded.created_at`,
    );
    this.#forget = db.prepare<[string, string]>(
      'DELETE FROM oauth_consents WHERE user_id = ? AND client_id = ?',
    );
  }

  async find(userId: string, clientId: string): Promise<OAuthConsent | undefined> {
    const row = this.#connection.read(() => this.#find.get(userId, clientId));
    return (
      row && {
        userId: row.user_id,
        clientId: row.client_id,
        scopes: row.scopes.split(' '),
        resources: row.resources.split(' ') as OAuthResource[],
        createdAt: row.created_at,
      }
    );
  }

  async save(consent: OAuthConsent): Promise<void> {
    this.#connection.write(() =>
      this.#save.run({
        ...consent,
        scopes: consent.scopes.join(' '),
        resources: consent.resources.join(' '),
      }),
    );
  }

  async forget(userId: string, clientId: string): Promise<void> {
    this.#connection.write(() => this.#forget.run(userId, clientId));
  }
}
