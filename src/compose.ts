import type { Logger } from 'pino';
import { ACTIVITY_DEFAULTS, type Config } from './config.ts';
import type { Db } from './repositories/database.ts';
import { SqliteActivityRepository } from './repositories/sqlite-activity-repository.ts';
import { SqliteAgentTokenRepository } from './repositories/sqlite-agent-token-repository.ts';
import { SqliteHealthProbe } from './repositories/sqlite-health-probe.ts';
import { SqliteTodoRepository } from './repositories/sqlite-todo-repository.ts';
import { SqliteUserRepository } from './repositories/sqlite-user-repository.ts';
import { ActivityService } from './services/activity-service.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { InProcessChangeFeed } from './services/change-feed.ts';
import { InProcessLoginThrottle } from './services/login-throttle.ts';
import { PasswordHasher } from './services/password-hasher.ts';
import { RateLimiter } from './services/rate-limiter.ts';
import { TodoService } from './services/todo-service.ts';
import { TokenCodec } from './services/token-codec.ts';

export type ServiceConfig = Pick<Config, 'publicUrl' | 'tokenTtlSeconds' | 'maxTodosPerUser'> &
  Partial<Pick<Config, 'activityMaxPerUser' | 'activityRetentionDays'>> & {
    jwtSecret: string;
  };

const FIFTEEN_MINUTES = 15 * 60 * 1000;

/**
 * Repositories and services over one database: the wiring main.ts and the tests share, so a
 * test runs exactly the objects production runs.
 */
export function createServices(db: Db, config: ServiceConfig, logger?: Logger) {
  const agentTokens = new SqliteAgentTokenRepository(db);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  const auth = new AuthService({
    users: new SqliteUserRepository(db),
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
  // In-process: one process serves one SQLite file. A PostgreSQL deployment of several
  // processes gets a LISTEN/NOTIFY feed here instead.
  const changes = new InProcessChangeFeed((error) =>
    logger?.error({ errorName: (error as Error)?.name }, 'a change listener failed'),
  );
  const todos = new TodoService({
    todos: new SqliteTodoRepository(db),
    maxTodosPerUser: config.maxTodosPerUser,
    changes,
    activityPerUser: config.activityMaxPerUser ?? ACTIVITY_DEFAULTS.maxPerUser,
  });
  const activity = new ActivityService({
    activity: new SqliteActivityRepository(db),
    retentionDays: config.activityRetentionDays ?? ACTIVITY_DEFAULTS.retentionDays,
  });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokenService = new AgentTokenService({ agentTokens, tokens, maxActivePerUser: 50 });
  return {
    auth,
    agentTokens: agentTokenService,
    todos,
    activity,
    changes,
    health: new SqliteHealthProbe(db),
  };
}
