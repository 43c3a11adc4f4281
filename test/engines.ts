// The storage engines a suite runs on: `describe.each(ENGINES)` runs the same tests on SQLite
// and on PostgreSQL (a fresh database on the run's server, see test/postgres/). TestData reads
// what is stored straight from the database, in one shape for both engines, so that checks of
// stored state do not go through the code under test.

import pg from 'pg';
import { inject } from 'vitest';
import { openPostgresStore } from '../src/repositories/postgres/postgres-store.ts';
import { type Db, openDatabase } from '../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../src/repositories/sqlite/sqlite-store.ts';
import type { Store } from '../src/repositories/types.ts';
import { createDatabase, dropDatabase } from './postgres/embedded-postgres.ts';

export type Engine = 'sqlite' | 'postgres';
export const ENGINES: readonly Engine[] = ['sqlite', 'postgres'];

/** Direct reads of the stored data, with `?` placeholders on both engines. */
export interface TestData {
  readonly engine: Engine;
  all<R>(sql: string, ...params: unknown[]): Promise<R[]>;
  /** Every todo row, with columns as SQLite holds them (completed 0/1, ISO-8601 text times). */
  todoRows<R>(): Promise<R[]>;
  /** Runs a statement that changes data (a test's own setup, e.g. deleting a user behind the service's back). */
  run(sql: string, ...params: unknown[]): Promise<void>;
}

export interface TestStore {
  store: Store;
  data: TestData;
  /** PostgreSQL only: the URL of this store's database, for processes started on it. */
  url: string | undefined;
  /** Closes the store and, on PostgreSQL, drops its database. */
  close(): Promise<void>;
}

const PG_TODO_ROWS = `SELECT id, user_id, title, description, priority, completed::int AS completed,
  to_char(due_date, 'YYYY-MM-DD') AS due_date,
  to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at,
  to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS updated_at, version
  FROM todos`;

export function sqliteData(db: Db): TestData {
  return {
    engine: 'sqlite',
    all: async <R>(sql: string, ...params: unknown[]) => db.prepare(sql).all(...params) as R[],
    todoRows: async <R>() => db.prepare('SELECT * FROM todos').all() as R[],
    run: async (sql, ...params) => {
      db.prepare(sql).run(...params);
    },
  };
}

/** Reads through a pool of its own (two connections), never the store's. */
export function postgresData(url: string): TestData & { end(): Promise<void> } {
  const types = new pg.TypeOverrides();
  types.setTypeParser(20, 'text', Number); // count(*) is int8
  const pool = new pg.Pool({ connectionString: url, max: 2, types });
  // A test that ends the server's connections ends these too: the pool reconnects on its next read.
  pool.on('error', () => {});
  const numbered = (sql: string) => {
    let n = 0;
    return sql.replace(/\?/g, () => `$${++n}`);
  };
  return {
    engine: 'postgres',
    all: async <R>(sql: string, ...params: unknown[]) =>
      (await pool.query(numbered(sql), params)).rows as R[],
    todoRows: async <R>() => (await pool.query(PG_TODO_ROWS)).rows as R[],
    run: async (sql, ...params) => {
      await pool.query(numbered(sql), params);
    },
    end: () => pool.end(),
  };
}

/** A PostgreSQL store on `url` as a test process would open it (migrations applied). */
export const openPostgresTestStore = (url: string, poolSize = 10): Promise<Store> =>
  openPostgresStore({
    url,
    poolSize,
    statementTimeoutMs: 10_000,
    onIdleError: () => {},
    onSweepError: () => {},
    onListenError: () => {},
  });

export interface TestStoreOptions {
  databasePath?: string;
  /** PostgreSQL: the URL the store connects with, given its database's (a proxy's, say). */
  connectVia?: (url: string) => Promise<string>;
}

export async function openTestStore(engine: Engine, options: TestStoreOptions = {}): Promise<TestStore> {
  if (engine === 'sqlite') {
    const db = openDatabase(options.databasePath ?? ':memory:');
    const store = sqliteStore(db);
    return { store, data: sqliteData(db), url: undefined, close: () => store.close() };
  }
  const adminUrl = inject('postgresAdminUrl');
  const url = await createDatabase(adminUrl);
  const store = await openPostgresTestStore((await options.connectVia?.(url)) ?? url);
  const data = postgresData(url);
  return {
    store,
    data,
    url,
    close: async () => {
      await store.close();
      await data.end();
      await dropDatabase(adminUrl, url);
    },
  };
}
