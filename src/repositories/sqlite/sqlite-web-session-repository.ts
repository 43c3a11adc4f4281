import type { WebSession, WebSessionRepository } from '../types.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export class SqliteWebSessionRepository implements WebSessionRepository {
  readonly #connection: SqliteConnection;
  readonly #insert;
  readonly #findActive;
  readonly #delete;
  readonly #purge;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#insert = db.prepare(
      `INSERT INTO web_sessions (id_hash, user_id, created_at, expires_at)
       VALUES (@idHash, @userId, @createdAt, @expiresAt)`,
    );
    this.#findActive = db.prepare<[string, string], SessionRow>(
      'SELECT id_hash, user_id, created_at, expires_at FROM web_sessions WHERE id_hash = ? AND expires_at > ?',
    );
    this.#delete = db.prepare<[string]>('DELETE FROM web_sessions WHERE id_hash = ?');
    this.#purge = db.prepare<[string]>('DELETE FROM web_sessions WHERE expires_at < ?');
  }

  async insert(session: WebSession): Promise<void> {
    this.#connection.write(() => this.#insert.run(session));
  }

  async findActive(idHash: string, now: string): Promise<WebSession | undefined> {
    const row = this.#connection.read(() => this.#findActive.get(idHash, now));
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
    this.#connection.write(() => this.#delete.run(idHash));
  }

  async purgeExpired(now: string): Promise<void> {
    this.#connection.write(() => this.#purge.run(now));
  }
}
