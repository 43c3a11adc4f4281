import type { Store } from '../types.ts';
import type { Db } from './database.ts';
import { SqliteActivityRepository } from './sqlite-activity-repository.ts';
import { SqliteAgentTokenRepository } from './sqlite-agent-token-repository.ts';
import { SqliteAuthorizationCodeRepository } from './sqlite-authorization-code-repository.ts';
import { SqliteConnection } from './sqlite-connection.ts';
import { SqliteHealthProbe } from './sqlite-health-probe.ts';
import { SqliteOAuthClientRepository } from './sqlite-oauth-client-repository.ts';
import { SqliteOAuthConsentRepository } from './sqlite-oauth-consent-repository.ts';
import { SqliteOAuthGrantRepository } from './sqlite-oauth-grant-repository.ts';
import { SqliteTodoRepository } from './sqlite-todo-repository.ts';
import { SqliteUserRepository } from './sqlite-user-repository.ts';
import { SqliteWebSessionRepository } from './sqlite-web-session-repository.ts';

/**
 * The repositories over one open SQLite database, all through one SqliteConnection (so every
 * statement meets storage failures the same way). One process owns all state, so rate limits
 * stay in that process's memory (`limits` is undefined).
 */
export function sqliteStore(db: Db): Store {
  const connection = new SqliteConnection(db);
  return {
    engine: 'sqlite',
    users: new SqliteUserRepository(connection),
    todos: new SqliteTodoRepository(connection),
    activity: new SqliteActivityRepository(connection),
    agentTokens: new SqliteAgentTokenRepository(connection),
    oauthClients: new SqliteOAuthClientRepository(connection),
    authorizationCodes: new SqliteAuthorizationCodeRepository(connection),
    oauthGrants: new SqliteOAuthGrantRepository(connection),
    oauthConsents: new SqliteOAuthConsentRepository(connection),
    webSessions: new SqliteWebSessionRepository(connection),
    health: new SqliteHealthProbe(connection),
    limits: undefined,
    changeSignals: undefined,
    async close() {
      db.close();
    },
  };
}
