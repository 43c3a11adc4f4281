import type { WebSession, WebSessionRepository } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

const INSERT = statement(
  `INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at)
   VALUES ($1, $2, $3::timestamptz, $4::timestamptz)`,
);
const FIND_ACTIVE = statement(
  `SELECT id_hash, user_id, ${isoTime('created_at')} AS created_at, ${isoTime('expires_at')} AS expires_at
   FROM web_sessions WHERE id_hash = $1 AND expires_at > $2::timestamptz`,
);
const DELETE = statement('DELETE FROM web_sessions WHERE id_hash = $1');
const PURGE = statement('DELETE FROM web_sessions WHERE expires_at < $1::timestamptz');

export class PostgresWebSessionRepository implements WebSessionRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async insert(session: WebSession): Promise<void> {
    await this.#db.rows(INSERT, [session.idHash, session.userId, session.createdAt, session.expiresAt]);
  }

  async findActive(idHash: string, now: string): Promise<WebSession | undefined> {
    if (holdsNul(idHash)) return undefined;
    const [row] = await this.#db.rows<SessionRow>(FIND_ACTIVE, [idHash, now]);
    return (
      row && {
        idHash: row.id_hash,
        userId: row.user_id,
        createdAt: row.created_at,
        expiresAt: row.expires_at,
      }
    );
  }

  async delete(idHash: string): Promise<void> {
    if (holdsNul(idHash)) return;
    await this.#db.rows(DELETE, [idHash]);
  }

  async purgeExpired(now: string): Promise<void> {
    await this.#db.rows(PURGE, [now]);
  }
}
