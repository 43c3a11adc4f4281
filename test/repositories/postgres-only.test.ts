// What only the PostgreSQL store has to prove: processes starting together migrate once, and
// a deadlock or serialization failure is retried instead of reaching the caller.
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { migrations } from '../../src/repositories/postgres/migrations.ts';
import { PgDatabase, sqlState, statement } from '../../src/repositories/postgres/pg-database.ts';
import { openPostgresTestStore, postgresData } from '../engines.ts';
import { createDatabase, dropDatabase } from '../postgres/embedded-postgres.ts';

const open = (url: string) => openPostgresTestStore(url, 4);

describe('the PostgreSQL store', () => {
  const adminUrl = inject('postgresAdminUrl');
  let url: string;

  beforeEach(async () => {
    url = await createDatabase(adminUrl);
  });
  afterEach(() => dropDatabase(adminUrl, url));

  it('applies each migration once when three processes start together', async () => {
    const stores = await Promise.all([open(url), open(url), open(url)]);
    const data = postgresData(url);
    try {
      const applied = await data.all<{ version: number }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(applied.map((row) => row.version)).toEqual(migrations.map((_, i) => i + 1));
      const reopened = await open(url);
      await reopened.close();
      expect(await data.all('SELECT version FROM schema_migrations')).toHaveLength(migrations.length);
    } finally {
      await Promise.all(stores.map((store) => store.close()));
      await data.end();
    }
  });

  it('retries a transaction that PostgreSQL chose as a deadlock victim, so both complete', async () => {
    const store = await open(url);
    await store.close();
    const db = new PgDatabase({ url, poolSize: 4, statementTimeoutMs: 10_000, onIdleError: () => {} });
    const setup = postgresData(url);
    try {
      await setup.run(
        "CREATE TABLE pair (id int PRIMARY KEY, value text); INSERT INTO pair VALUES (1, ''), (2, '')",
      );
      const touch = statement('UPDATE pair SET value = value || $2 WHERE id = $1');
      const hold = statement('SELECT pg_sleep(0.2)');
      let attempts = 0;
      // Each locks one row, waits until the other has locked the other row, then wants it.
      const crosswise = (first: number, second: number, mark: string) =>
        db.transaction(async (tx) => {
          attempts++;
          await tx.rows(touch, [first, mark]);
          await tx.rows(hold, []);
          await tx.rows(touch, [second, mark]);
          return mark;
        });
      expect(await Promise.all([crosswise(1, 2, 'a'), crosswise(2, 1, 'b')])).toEqual(['a', 'b']);
      expect(attempts).toBeGreaterThan(2); // one of them was rolled back and ran again
      const rows = await setup.all<{ value: string }>('SELECT value FROM pair ORDER BY id');
      expect(rows.map((row) => [...row.value].sort().join(''))).toEqual(['ab', 'ab']);
    } finally {
      await db.close();
      await setup.end();
    }
  });

  it('lets an error that is not retryable through at once, with its SQLSTATE', async () => {
    const db = new PgDatabase({ url, poolSize: 1, statementTimeoutMs: 10_000, onIdleError: () => {} });
    try {
      const error = await db.rows(statement('SELECT 1/0'), []).catch((caught: unknown) => caught);
      expect(sqlState(error)).toBe('22012');
    } finally {
      await db.close();
    }
  });
});
