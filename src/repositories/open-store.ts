// The one place that picks the storage engine: PostgreSQL when a URL is configured (any
// number of processes share it), otherwise SQLite in this process.
import type { Logger } from 'pino';
import { openPostgresStore } from './postgres/postgres-store.ts';
import { openDatabase } from './sqlite/database.ts';
import { sqliteStore } from './sqlite/sqlite-store.ts';
import type { Store } from './types.ts';

export interface StoreConfig {
  databaseUrl: string | undefined;
  databasePath: string;
  databaseSynchronous: 'NORMAL' | 'FULL';
  databasePoolSize: number;
  databaseStatementTimeoutMs: number;
}

export async function openStore(config: StoreConfig, logger: Logger): Promise<Store> {
  if (config.databaseUrl === undefined) {
    return sqliteStore(openDatabase(config.databasePath, { synchronous: config.databaseSynchronous }));
  }
  // Errors are logged by name and code only: a driver message may quote the connection string.
  const report = (message: string) => (error: Error & { code?: string }) =>
    logger.error({ errorName: error.name, code: error.code }, message);
  return openPostgresStore({
    url: config.databaseUrl,
    poolSize: config.databasePoolSize,
    statementTimeoutMs: config.databaseStatementTimeoutMs,
    onIdleError: report('database: an idle connection failed'),
    onSweepError: report('database: sweeping rate-limit buckets failed'),
    onListenError: report('database: the connection that listens for changes failed; reconnecting'),
  });
}
