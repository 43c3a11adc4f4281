import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { migrations } from './migrations.ts';
import { storageFault } from './sqlite-connection.ts';
import { HEALTH_PROBE_WRITE } from './sqlite-health-probe.ts';

export type Db = Database.Database;

/** The database cannot be served from: what is wrong, in words an operator can act on. */
export class DatabaseUnusableError extends Error {
  override name = 'DatabaseUnusableError';
}

/**
 * Opens (creating if needed) the SQLite database, sets the pragmas every connection needs,
 * checks it for damage, applies pending migrations, and proves that it takes a write. Used by main.ts and by every
 * test, so both run the same schema and settings.
 *
 * Durability: WAL with synchronous=NORMAL. In WAL mode a committed transaction survives a
 * crash of the process at any synchronous level; NORMAL may lose the last transactions
 * only on power loss or an OS crash, and doubles write throughput compared with FULL.
 * Deployments that must survive power loss set DATABASE_SYNCHRONOUS=FULL.
 *
 * Throws DatabaseUnusableError when the file or its disk is failing (read-only, not a
 * database, corrupt, its directory cannot be made): SQLite would otherwise open a file it
 * cannot write read-only, and the service would start only to refuse every write.
 */
export function openDatabase(path: string, options: { synchronous?: 'NORMAL' | 'FULL' } = {}): Db {
  let db: Db | undefined;
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous ?? 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('foreign_keys = ON');
    // Damage anywhere in the file, found before serving rather than by the first unlucky
    // request. Linear in the file's size: measured 47 ms for 100k todos, 0.4 s for a million.
    const damage = String(db.pragma('quick_check', { simple: true }));
    if (damage !== 'ok') {
      const first = damage.replace(/\s+/g, ' ').slice(0, 200);
      throw new DatabaseUnusableError(`the database is corrupt (quick_check: ${first})`);
    }
    migrate(db);
    db.prepare(HEALTH_PROBE_WRITE).run(new Date().toISOString());
    return db;
  } catch (error) {
    db?.close();
    throw error instanceof DatabaseUnusableError ? error : (unusable(error) ?? error);
  }
}

function unusable(error: unknown): DatabaseUnusableError | undefined {
  const fault = storageFault(error);
  if (fault)
    return new DatabaseUnusableError(`the database ${fault.problem} (${fault.code})`, { cause: error });
  // mkdirSync: the directory cannot be created (permissions, a read-only disk, a file in the way).
  if (error instanceof Error && 'syscall' in error && 'code' in error && typeof error.code === 'string') {
    return new DatabaseUnusableError(`its directory cannot be created (${error.code})`, { cause: error });
  }
  return undefined;
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
