import type { HealthProbe } from '../types.ts';
import { type PgDatabase, statement } from './pg-database.ts';

// A real write through the pool the services use: a free connection, a server that answers,
// and a database that takes writes (a read-only replica after a failover, or a full disk, still
// answers reads).
const WRITE = statement(
  `INSERT INTO health_probe (id, checked_at) VALUES (1, now())
   ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`,
);

export class PostgresHealthProbe implements HealthProbe {
  readonly #db: PgDatabase;
  constructor(db: PgDatabase) {
    this.#db = db;
  }
  async check(): Promise<void> {
    await this.#db.rows(WRITE, []);
  }
}
