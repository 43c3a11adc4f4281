import type { Store } from '../types.ts';
import type { Db } from './database.ts';
import { SqliteAgentTokenRepository } from './sqlite-agent-token-repository.ts';
import { SqliteHealthProbe } from './sqlite-health-probe.ts';
import { SqliteTodoRepository } from './sqlite-todo-repository.ts';
import { SqliteUserRepository } from './sqlite-user-repository.ts';

/**
 * The repositories over one open SQLite database. One process owns all state, so rate
 * limits stay in that process's memory (`limits` is undefined).
 */
export function sqliteStore(db: Db): Store {
  return {
    engine: 'sqlite',
    users: new SqliteUserRepository(db),
    todos: new SqliteTodoRepository(db),
    agentTokens: new SqliteAgentTokenRepository(db),
    health: new SqliteHealthProbe(db),
    limits: undefined,
    async close() {
      db.close();
    },
  };
}
