// The PostgreSQL connection pool and the two ways repositories use it: one statement, or a
// transaction. Both are retried when PostgreSQL reports a serialization failure or a
// deadlock, as it asks its clients to: such an error never reaches a caller as a 500. A
// database that cannot be reached or cannot serve now (refused or lost connections, a server
// shutting down, too many connections, a read-only database after a failover, a full disk)
// becomes UnavailableError, which the edges answer with 503 and Retry-After, as they answer
// SQLite's storage faults.
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { UnavailableError } from '../../services/errors.ts';

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
      if (attempt >= MAX_ATTEMPTS || !RETRYABLE.has(sqlState(error) ?? '')) throw unavailable(error) ?? error;
      // Jittered backoff, so that the transactions that collided do not collide again.
      await sleep(Math.random() * 5 * 2 ** attempt);
    }
  }
}

// SQLSTATEs (and classes: the first two characters) that mean the database cannot serve now,
// not that the statement is wrong; what each says to an operator. Anything else is a bug and
// stays unexpected.
const UNAVAILABLE_STATES: Record<string, string> = {
  '08': 'the connection failed',
  '53': 'the server is out of a resource (connections, disk or memory)',
  '58': 'the server met a system error',
  '57P01': 'the server is shutting down or ended the connection',
  '57P02': 'the server crashed',
  '57P03': 'the server is starting up or shutting down',
  '57014': 'a statement ran past the statement timeout',
  '25006': 'the database is read-only (a standby, or default_transaction_read_only)',
  '40001': 'transactions kept colliding (serialization failures, retries exhausted)',
  '40P01': 'transactions kept colliding (deadlocks, retries exhausted)',
  XX001: 'the stored data is corrupt',
  XX002: 'an index is corrupt',
};
// Failures below PostgreSQL's protocol: the socket (Node's error codes) or the driver's own
// connection errors, which carry no code.
const NETWORK_ERRORS = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const DRIVER_CONNECTION_ERROR =
  /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/;

// Unlike SQLite's, this cannot promise that a change was not saved: a connection lost during
// a COMMIT leaves its outcome unknown to us.
const UNAVAILABLE_MESSAGE =
  'The service is temporarily unable to reach its database; a change you were making may not have been saved.';

/** UnavailableError when `error` is the database failing rather than the statement; undefined otherwise. */
export function unavailable(error: unknown): UnavailableError | undefined {
  const state = sqlState(error);
  if (state !== undefined) {
    const problem = UNAVAILABLE_STATES[state] ?? UNAVAILABLE_STATES[state.slice(0, 2)];
    return problem === undefined
      ? undefined
      : new UnavailableError(UNAVAILABLE_MESSAGE, `PostgreSQL ${state}: ${problem}`);
  }
  if (!(error instanceof Error)) return undefined;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  if (code !== undefined && NETWORK_ERRORS.has(code)) {
    return new UnavailableError(UNAVAILABLE_MESSAGE, `PostgreSQL unreachable: ${code}`);
  }
  if (DRIVER_CONNECTION_ERROR.test(error.message)) {
    return new UnavailableError(UNAVAILABLE_MESSAGE, `PostgreSQL connection: ${error.message.slice(0, 80)}`);
  }
  return undefined;
}
