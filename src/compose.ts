import { availableParallelism } from 'node:os';
import type { Config } from './config.ts';
import type { Db } from './repositories/database.ts';
import { SqliteAgentTokenRepository } from './repositories/sqlite-agent-token-repository.ts';
import { SqliteHealthProbe } from './repositories/sqlite-health-probe.ts';
import { SqliteTodoRepository } from './repositories/sqlite-todo-repository.ts';
import { SqliteUserRepository } from './repositories/sqlite-user-repository.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { ConcurrencyLimit } from './services/concurrency-limit.ts';
import { DEFAULT_ARGON2, PasswordHasher } from './services/password-hasher.ts';
import { RateLimiter } from './services/rate-limiter.ts';
import { TodoService } from './services/todo-service.ts';
import { TokenCodec } from './services/token-codec.ts';

export type ServiceConfig = Pick<Config, 'publicUrl' | 'tokenTtlSeconds' | 'maxTodosPerUser'> & {
  jwtSecret: string;
};

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/**
 * Repositories and services over one database: the wiring main.ts and the tests share, so a
 * test runs exactly the objects production runs.
 */
export function createServices(db: Db, config: ServiceConfig) {
  const agentTokens = new SqliteAgentTokenRepository(db);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  // One argon2id derivation per core the process may use: more only compete with the event
  // loop for the same cores (the benchmark's login storm shows it as event-loop delay).
  const passwordHashing = new ConcurrencyLimit(availableParallelism());
  const auth = new AuthService({
    users: new SqliteUserRepository(db),
    agentTokens,
    hasher: new PasswordHasher(DEFAULT_ARGON2, passwordHashing),
    tokens,
    // Ten failures per username and fifty per address every fifteen minutes, refilled evenly.
    usernameThrottle: new RateLimiter({ capacity: 10, windowMs: FIFTEEN_MINUTES }),
    addressThrottle: new RateLimiter({ capacity: 50, windowMs: FIFTEEN_MINUTES }),
    registrationThrottle: new RateLimiter({ capacity: 50, windowMs: 60 * 60 * 1000 }),
  });
  const todos = new TodoService({
    todos: new SqliteTodoRepository(db),
    maxTodosPerUser: config.maxTodosPerUser,
  });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokenService = new AgentTokenService({ agentTokens, tokens, maxActivePerUser: 50 });
  return {
    auth,
    agentTokens: agentTokenService,
    todos,
    health: new SqliteHealthProbe(db),
    /** Observable for tests and diagnostics: how many derivations run and wait now. */
    passwordHashing,
  };
}
