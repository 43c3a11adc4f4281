import type { SqliteStore } from './sqlite-store.ts';
import type { WebSession, WebSessionRepository } from './types.ts';

interface SessionRow {
  id_hash: string;
  user_id: string;
  created_at: string;
  expires_at: string;
}

export class SqliteWebSessionRepository implements WebSessionRepository {
  readonly #store: SqliteStore;
  readonly #insert;
  readonly #findActive;
  readonly #delete;
  readonly #purge;

  constructor(store: SqliteStore) {
    const { db } = store;
    this.#store = store;
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
    this.#store.write(() => this.#insert.run(session));
  }

  async findActive(idHash: string, now: string): Promise<WebSession | undefined> {
    const row = this.#store.read(() => this.#findActive.get(idHash, now));
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
    this.#store.write(() => this.#delete.run(idHash));
  }

  async purgeExpired(now: string): Promise<void> {
    this.#store.write(() => this.#purge.run(now));
  }
}
