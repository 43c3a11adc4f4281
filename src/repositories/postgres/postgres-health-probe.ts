import type { HealthProbe } from '../types.ts';
import { type PgDatabase, statement } from './pg-database.ts';

// A real round trip through the pool the services use: a free connection and a server that answers.
const PING = statement('SELECT count(*) FROM schema_migrations');

export class PostgresHealthProbe implements HealthProbe {
  readonly #db: PgDatabase;
  constructor(db: PgDatabase) {
    this.#db = db;
  }
  async ping(): Promise<void> {
    await this.#db.rows(PING, []);
  }
}
