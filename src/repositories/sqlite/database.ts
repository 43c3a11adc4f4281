import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.ts';

export type Db = Database.Database;

/**
 * Opens (creating if needed) the SQLite database, sets the pragmas every connection needs,
 * and applies pending migrations. Used by main.ts and by every test, so both run the same
 * schema and settings.
 *
 * Durability: WAL with synchronous=NORMAL. In WAL mode a committed transaction survives a
 * crash of the process at any synchronous level; NORMAL may lose the last transactions
 * only on power loss or an OS crash, and doubles write throughput compared with FULL.
 * Deployments that must survive power loss set DATABASE_SYNCHRONOUS=FULL.
 */
export function openDatabase(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Db): void {
  const applied = db.pragma('user_version', { simple: true }) as number;
  for (let version = applied; version < migrations.length; version++) {
    // Each migration and its version bump commit together, or not at all.
    db.transaction(() => {
      db.exec(migrations[version] ?? '');
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}
