import type { AgentToken, AgentTokenRepository } from '../types.ts';
import type { Db } from './database.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface AgentTokenRow {
  id: string;
  name: string;
  scopes: string;
  audience: string;
  created_at: string;
  expires_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const COLUMNS = 'id, name, scopes, audience, created_at, expires_at, last_used_at, revoked_at';

const toAgentToken = (row: AgentTokenRow): AgentToken => ({
  id: row.id,
  name: row.name,
  scopes: row.scopes.split(' '),
  audience: row.audience.split(' ') as AgentToken['audience'],
  createdAt: row.created_at,
  expiresAt: row.expires_at,
  lastUsedAt: row.last_used_at,
  revokedAt: row.revoked_at,
});

export class SqliteAgentTokenRepository implements AgentTokenRepository {
  readonly #connection: SqliteConnection;
  readonly #db: Db;
  readonly #countActive;
  readonly #insert;
  readonly #list;
  readonly #findActive;
  readonly #revoke;
  readonly #exists;
  readonly #touch;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    this.#db = db;
    this.#countActive = db.prepare<[string, string], number>(
      'SELECT count(*) FROM agent_tokens WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ?',
    );
    this.#insert = db.prepare(
      `INSERT INTO agent_tokens (id, user_id, name, scopes, audience, created_at, expires_at)
       VALUES (@id, @userId, @name, @scopes, @audience, @createdAt, @expiresAt)`,
    );
    this.#list = db.prepare<[string], AgentTokenRow>(
      `SELECT ${COLUMNS} FROM agent_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC`,
    );
    // The lookup on every agent request: one primary-key read.
    this.#findActive = db.prepare<[string, string, string], AgentTokenRow>(
      `SELECT ${COLUMNS} FROM agent_tokens
       WHERE id = ? AND user_id = ? AND revoked_at IS NULL AND expires_at > ?`,
    );
    this.#revoke = db.prepare<[string, string, string]>(
      'UPDATE agent_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL',
    );
    this.#exists = db.prepare<[string, string], number>(
      'SELECT 1 FROM agent_tokens WHERE id = ? AND user_id = ?',
    );
    this.#touch = db.prepare<[string, string]>('UPDATE agent_tokens SET last_used_at = ? WHERE id = ?');
  }

  async insert(userId: string, token: AgentToken, maxActive: number): Promise<AgentToken | undefined> {
    return this.#connection.write(() =>
      this.#db.transaction(() => {
        if ((this.#countActive.pluck().get(userId, token.createdAt) ?? 0) >= maxActive) return undefined;
        this.#insert.run({
          ...token,
          userId,
          scopes: token.scopes.join(' '),
          audience: token.audience.join(' '),
        });
        return token;
      })(),
    );
  }

  async list(userId: string): Promise<AgentToken[]> {
    return this.#connection.read(() => this.#list.all(userId)).map(toAgentToken);
  }

  async findActive(userId: string, id: string, now: string): Promise<AgentToken | undefined> {
    const row = this.#connection.read(() => this.#findActive.get(id, userId, now));
    return row && toAgentToken(row);
  }

  async revoke(userId: string, id: string, at: string): Promise<boolean> {
    if (this.#connection.write(() => this.#revoke.run(at, id, userId)).changes === 1) return true;
    return this.#connection.read(() => this.#exists.pluck().get(id, userId)) !== undefined;
  }

  async touch(id: string, at: string): Promise<void> {
    this.#connection.write(() => this.#touch.run(at, id));
  }
}
