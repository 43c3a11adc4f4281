import type { HealthProbe } from '../types.ts';
import type { Db } from './database.ts';

export class SqliteHealthProbe implements HealthProbe {
  readonly #query;
  constructor(db: Db) {
    // A real read through the same connection the services use, not just "the handle exists".
    this.#query = db.prepare('SELECT count(*) FROM sqlite_schema');
  }
  async ping(): Promise<void> {
    this.#query.pluck().get();
  }
}
