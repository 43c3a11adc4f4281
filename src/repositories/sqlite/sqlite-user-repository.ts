import type { User, UserRepository, UserWithCredentials } from '../types.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
}

const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, createdAt: row.created_at });

export class SqliteUserRepository implements UserRepository {
  readonly #connection: SqliteConnection;
  readonly #insert;
  readonly #byId;
  readonly #byUsername;

  constructor(connection: SqliteConnection) {
    const { db } = connection;
    this.#connection = connection;
    // ON CONFLICT DO NOTHING turns a taken username into "no row changed" instead of an
    // exception, so a race between two registrations needs no error parsing.
    this.#insert = db.prepare<[string, string, string, string]>(
      `INSERT INTO users (id, username, password_hash, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (username) DO NOTHING`,
    );
    this.#byId = db.prepare<[string], UserRow>(
      'SELECT id, username, password_hash, created_at FROM users WHERE id = ?',
    );
    this.#byUsername = db.prepare<[string], UserRow>(
      'SELECT id, username, password_hash, created_at FROM users WHERE username = ?',
    );
  }

  async create(user: UserWithCredentials): Promise<User | undefined> {
    const result = this.#connection.write(() =>
      this.#insert.run(user.id, user.username, user.passwordHash, user.createdAt),
    );
    return result.changes === 1
      ? { id: user.id, username: user.username, createdAt: user.createdAt }
      : undefined;
  }

  async findById(id: string): Promise<User | undefined> {
    const row = this.#connection.read(() => this.#byId.get(id));
    return row && toUser(row);
  }

  async findByUsername(username: string): Promise<UserWithCredentials | undefined> {
    const row = this.#connection.read(() => this.#byUsername.get(username));
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }
}
