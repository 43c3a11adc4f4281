import type pg from 'pg';
import { migrations } from './migrations.ts';

// Any constant works: it names the lock that every process of this service takes to migrate.
const MIGRATION_LOCK = 7_386_115_202;

/**
 * Applies pending migrations, each in its own transaction with its version row. Processes
 * starting together queue on a session-level advisory lock, so exactly one applies each
 * migration and the others find it applied.
 */
export async function migrate(pool: pg.Pool): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    try {
      await client.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           version integer PRIMARY KEY,
           applied_at timestamptz NOT NULL DEFAULT now()
         )`,
      );
      const { rows } = await client.query<{ applied: number }>(
        'SELECT coalesce(max(version), 0)::int AS applied FROM schema_migrations',
      );
      for (let version = rows[0]?.applied ?? 0; version < migrations.length; version++) {
        await client.query('BEGIN');
        try {
          await client.query(migrations[version] ?? '');
          await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version + 1]);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK');
          throw error;
        }
      }
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]);
    }
  } finally {
    client.release();
  }
}
