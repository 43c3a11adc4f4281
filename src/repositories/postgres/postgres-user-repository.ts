import type { User, UserRepository, UserWithCredentials } from '../types.ts';
import { holdsNul, isoTime } from './iso-time.ts';
import { type PgDatabase, statement } from './pg-database.ts';

interface UserRow {
  id: string;
  username: string;
  password_hash: string;
  created_at: string;
}

const COLUMNS = `id, username, password_hash, ${isoTime('created_at')} AS created_at`;

// ON CONFLICT DO NOTHING turns a taken username into "no row returned" instead of an
// exception, so a race between two registrations needs no error parsing.
const INSERT = statement(
  `INSERT INTO users (id, username, password_hash, created_at) VALUES ($1, $2, $3, $4::timestamptz)
   ON CONFLICT ((lower(username))) DO NOTHING RETURNING id`,
);
const BY_ID = statement(`SELECT ${COLUMNS} FROM users WHERE id = $1`);
const BY_USERNAME = statement(`SELECT ${COLUMNS} FROM users WHERE lower(username) = lower($1)`);

const toUser = (row: UserRow): User => ({ id: row.id, username: row.username, createdAt: row.created_at });

export class PostgresUserRepository implements UserRepository {
  readonly #db: PgDatabase;

  constructor(db: PgDatabase) {
    this.#db = db;
  }

  async create(user: UserWithCredentials): Promise<User | undefined> {
    const rows = await this.#db.rows(INSERT, [user.id, user.username, user.passwordHash, user.createdAt]);
    return rows.length === 1
      ? { id: user.id, username: user.username, createdAt: user.createdAt }
      : undefined;
  }

  async findById(id: string): Promise<User | undefined> {
    if (holdsNul(id)) return undefined;
    const [row] = await this.#db.rows<UserRow>(BY_ID, [id]);
    return row && toUser(row);
  }

  async findByUsername(username: string): Promise<UserWithCredentials | undefined> {
    if (holdsNul(username)) return undefined;
    const [row] = await this.#db.rows<UserRow>(BY_USERNAME, [username]);
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }
}
