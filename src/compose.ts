import type { Config } from './config.ts';
import type { Db } from './repositories/database.ts';
import { SqliteAgentTokenRepository } from './repositories/sqlite-agent-token-repository.ts';
import { SqliteHealthProbe } from './repositories/sqlite-health-probe.ts';
import { SqliteStore } from './repositories/sqlite-store.ts';
import { SqliteTodoRepository } from './repositories/sqlite-todo-repository.ts';
import { SqliteUserRepository } from './repositories/sqlite-user-repository.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { InProcessLoginThrottle } from './services/login-throttle.ts';
import { PasswordHasher } from './services/password-hasher.ts';
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
  const store = new SqliteStore(db);
  const agentTokens = new SqliteAgentTokenRepository(store);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  const auth = new AuthService({
    users: new SqliteUserRepository(store),
    agentTokens,
    hasher: new PasswordHasher(),
    tokens,
    // Failures every fifteen minutes, refilled evenly: fifty from one address, ten for one
    // username from one address, and a ceiling of a hundred for one username from anywhere.
    loginThrottle: new InProcessLoginThrottle({
      perAddress: new RateLimiter({ capacity: 50, windowMs: FIFTEEN_MINUTES }),
      perUsernameAndAddress: new RateLimiter({ capacity: 10, windowMs: FIFTEEN_MINUTES }),
      perUsername: new RateLimiter({ capacity: 100, windowMs: FIFTEEN_MINUTES }),
    }),
    registrationThrottle: new RateLimiter({ capacity: 50, windowMs: 60 * 60 * 1000 }),
  });
  const todos = new TodoService({
    todos: new SqliteTodoRepository(store),
    maxTodosPerUser: config.maxTodosPerUser,
  });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokenService = new AgentTokenService({ agentTokens, tokens, maxActivePerUser: 50 });
  return { auth, agentTokens: agentTokenService, todos, health: new SqliteHealthProbe(store) };
}
