import type { HealthProbe } from '../types.ts';
import type { SqliteConnection } from './sqlite-connection.ts';

/** The write the health check (and the start) makes: one row, overwritten each time. */
export const HEALTH_PROBE_WRITE = `INSERT INTO health_probe (id, checked_at) VALUES (1, ?)
  ON CONFLICT (id) DO UPDATE SET checked_at = excluded.checked_at`;

export class SqliteHealthProbe implements HealthProbe {
  readonly #connection: SqliteConnection;
  readonly #write;
  constructor(connection: SqliteConnection) {
    this.#connection = connection;
    // A real write through the same connection and the same checks the services' writes get.
    this.#write = connection.db.prepare<[string]>(HEALTH_PROBE_WRITE);
  }
  async check(): Promise<void> {
    this.#connection.write(() => this.#write.run(new Date().toISOString()));
  }
}
