// The PostgreSQL connection pool and the two ways repositories use it: one statement, or a
// transaction. Both are retried when PostgreSQL reports a serialization failure or a
// deadlock, as it asks its clients to: such an error never reaches a caller as a 500.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

export interface PgOptions {
  url: string;
  poolSize: number;
  statementTimeoutMs: number;
  /** Errors of idle connections (the server restarted, say): reported, never thrown. */
  onIdleError: (error: Error) => void;
}

/** A statement with a stable name, so each connection parses and plans it once. */
export interface Statement {
  readonly name: string;
  readonly text: string;
}

// pg types rows as `{ [column: string]: any }`; each repository names the columns it selected.
export type Row = pg.QueryResultRow;

/** What a transaction body runs its statements on. */
export interface Tx {
  rows<R extends Row>(statement: Statement, values: readonly unknown[]): Promise<R[]>;
}

const RETRYABLE = new Set(['40001', '40P01']); // serialization_failure, deadlock_detected
const MAX_ATTEMPTS = 6;
const INT8 = 20;

export function statement(text: string): Statement {
  return { name: `todos_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`, text };
}

export class PgDatabase {
  readonly pool: pg.Pool;

  constructor(options: PgOptions) {
    this.pool = new pg.Pool({
      connectionString: options.url,
      max: options.poolSize,
      // The server cancels a statement that runs longer, and ends a transaction left idle.
      statement_timeout: options.statementTimeoutMs,
      idle_in_transaction_session_timeout: options.statementTimeoutMs * 2,
      // A request waits this long for a free connection, then fails rather than queueing forever.
      connectionTimeoutMillis: options.statementTimeoutMs,
      application_name: 'todos',
      // Counts and millisecond times arrive as int8: numbers, not strings (they fit in a double).
      types: int8AsNumber(),
    });
    this.pool.on('error', options.onIdleError);
  }

  async rows<R extends Row>(statement: Statement, values: readonly unknown[]): Promise<R[]> {
    return retried(async () => (await this.pool.query<R>({ ...statement, values: [...values] })).rows);
  }

  /** Runs `work` in one transaction (READ COMMITTED); the whole of it is retried when PostgreSQL asks. */
  async transaction<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
    return retried(async () => {
      const client = await this.pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const result = await work({
          rows: async <R extends Row>(statement: Statement, values: readonly unknown[]) =>
            (await client.query<R>({ ...statement, values: [...values] })).rows,
        });
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch((rollbackError: unknown) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        // A connection whose rollback failed is in an unknown state: the pool must not reuse it.
        client.release(broken instanceof Error ? broken : undefined);
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}

function int8AsNumber(): pg.TypeOverrides {
  const overrides = new pg.TypeOverrides();
  overrides.setTypeParser(INT8, 'text', Number);
  return overrides;
}

/** The SQLSTATE of a PostgreSQL error, if it is one. */
export function sqlState(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined;
}

async function retried<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? '')) throw error;
      // Jittered backoff, so that the transactions that collided do not collide again.
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}
