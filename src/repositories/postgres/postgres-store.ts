import type { Store } from '../types.ts';
import { migrate } from './migrate.ts';
import { PgDatabase, type PgOptions } from './pg-database.ts';
import { PostgresActivityRepository } from './postgres-activity-repository.ts';
import { PostgresAgentTokenRepository } from './postgres-agent-token-repository.ts';
import { PostgresAuthorizationCodeRepository } from './postgres-authorization-code-repository.ts';
import { PostgresChangeSignals } from './postgres-change-signals.ts';
import { PostgresHealthProbe } from './postgres-health-probe.ts';
import { PostgresLimitRepository } from './postgres-limit-repository.ts';
import { PostgresOAuthClientRepository } from './postgres-oauth-client-repository.ts';
import { PostgresOAuthConsentRepository } from './postgres-oauth-consent-repository.ts';
import { PostgresOAuthGrantRepository } from './postgres-oauth-grant-repository.ts';
import { PostgresTodoRepository } from './postgres-todo-repository.ts';
import { PostgresUserRepository } from './postgres-user-repository.ts';
import { PostgresWebSessionRepository } from './postgres-web-session-repository.ts';

// Rate-limit buckets that are full again are deleted this often, by every process (idempotent).
const SWEEP_EVERY_MS = 60_000;

/**
 * Connects the pool, applies pending migrations (one process at a time), and returns the
 * repositories. Every process of a deployment opens its own store on the same database.
 */
export async function openPostgresStore(
  options: PgOptions & {
    onSweepError: (error: Error) => void;
    /** The change listener's connection failed (it reconnects by itself). */
    onListenError: (error: Error) => void;
  },
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
  const changeSignals = new PostgresChangeSignals({ url: options.url, onError: options.onListenError });
  return {
    engine: 'postgres',
    users: new PostgresUserRepository(db),
    todos: new PostgresTodoRepository(db),
    activity: new PostgresActivityRepository(db),
    agentTokens: new PostgresAgentTokenRepository(db),
    oauthClients: new PostgresOAuthClientRepository(db),
    authorizationCodes: new PostgresAuthorizationCodeRepository(db),
    oauthGrants: new PostgresOAuthGrantRepository(db),
    oauthConsents: new PostgresOAuthConsentRepository(db),
    webSessions: new PostgresWebSessionRepository(db),
    health: new PostgresHealthProbe(db),
    limits,
    changeSignals,
    async close() {
      clearInterval(sweeper);
      await changeSignals.close();
      await db.close();
    },
  };
}
