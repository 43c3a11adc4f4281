import type { Store } from '../types.ts';
import { migrate } from './migrate.ts';
import { PgDatabase, type PgOptions } from './pg-database.ts';
import { PostgresAgentTokenRepository } from './postgres-agent-token-repository.ts';
import { PostgresHealthProbe } from './postgres-health-probe.ts';
import { PostgresLimitRepository } from './postgres-limit-repository.ts';
import { PostgresTodoRepository } from './postgres-todo-repository.ts';
import { PostgresUserRepository } from './postgres-user-repository.ts';

// Rate-limit buckets that are full again are deleted this often, by every process (idempotent).
const SWEEP_EVERY_MS = 60_000;

/**
 * Connects the pool, applies pending migrations (one process at a time), and returns the
 * repositories. Every process of a deployment opens its own store on the same database.
 */
export async function openPostgresStore(
  options: PgOptions & { onSweepError: (error: Error) => void },
): Promise<Store> {
  const db = new PgDatabase(options);
  try {
    await migrate(db.pool);
  } catch (error) {
    await db.close();
    throw error;
  }
  const limits = new PostgresLimitRepository(db);
  const sweeper = setInterval(
    () => void limits.sweep(Date.now()).catch(options.onSweepError),
    SWEEP_EVERY_MS,
  ).unref();
  return {
    engine: 'postgres',
    users: new PostgresUserRepository(db),
    todos: new PostgresTodoRepository(db),
    agentTokens: new PostgresAgentTokenRepository(db),
    health: new PostgresHealthProbe(db),
    limits,
    async close() {
      clearInterval(sweeper);
      await db.close();
    },
  };
}
