import type { OAuthConsent, OAuthConsentRepository, OAuthResource } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface ConsentRow {
  user_id: string;
  client_id: string;
  scopes: string[];
  resources: OAuthResource[];
  created_at: string;
}

const FIND = statement(
  `SELECT user_id, client_id, scopes, resources, ${isoTime('created_at')} AS created_at
   FROM oauth_consents WHERE user_id = $1 AND client_id = $2`,
);
const SAVE = statement(
  `INSERT INTO oauth_consents (user_id, client_id, scopes, resources, created_at)
   VALUES ($1, $2, $3::text[], $4::text[], $5::timestamptz)
   ON CONFLICT (user_id, client_id) DO UPDATE SET
     scopes = excluded.scopes, resources = excluded.resources, created_at = excluded.created_at`,
);
const FORGET = statement('DELETE FROM oauth_consents WHERE user_id = $1 AND client_id = $2');

export class PostgresOAuthConsentRepository implements OAuthConsentRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async find(userId: string, clientId: string): Promise<OAuthConsent | undefined> {
    if (holdsNul(clientId)) return undefined;
    const [row] = await this.#db.rows<ConsentRow>(FIND, [userId, clientId]);
    return (
      row && {
        userId: row.user_id,
        clientId: row.client_id,
        scopes: row.scopes,
        resources: row.resources,
        createdAt: row.created_at,
      }
    );
  }

  async save(consent: OAuthConsent): Promise<void> {
    await this.#db.rows(SAVE, [
      consent.userId,
      consent.clientId,
      consent.scopes,
      consent.resources,
      consent.createdAt,
    ]);
  }

  async forget(userId: string, clientId: string): Promise<void> {
    if (holdsNul(clientId)) return;
    await this.#db.rows(FORGET, [userId, clientId]);
  }
}
