import type { Config } from './config.ts';
import type { BucketPolicy, Store } from './repositories/types.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { InProcessLoginThrottle, type LoginThrottle } from './services/login-throttle.ts';
import { PasswordHasher } from './services/password-hasher.ts';
import { type RateBudgets, RateLimiter } from './services/rate-limiter.ts';
import { SharedLoginThrottle, SharedRateBudget } from './services/shared-limits.ts';
import { TodoService } from './services/todo-service.ts';
import { TokenCodec } from './services/token-codec.ts';

export type ServiceConfig = Pick<Config, 'publicUrl' | 'tokenTtlSeconds' | 'maxTodosPerUser'> & {
  jwtSecret: string;
};

const FIFTEEN_MINUTES = 15 * 60 * 1000;

// Failures every fifteen minutes, refilled evenly: fifty from one address, ten for one
// username from one address, and a ceiling of a hundred for one username from anywhere.
const LOGIN_POLICIES = {
  perAddress: { capacity: 50, windowMs: FIFTEEN_MINUTES },
  perUsernameAndAddress: { capacity: 10, windowMs: FIFTEEN_MINUTES },
  perUsername: { capacity: 100, windowMs: FIFTEEN_MINUTES },
} satisfies Record<string, BucketPolicy>;

/**
 * Rate limits where the store keeps them: in this process's memory (SQLite: one process), or
 * in the shared database, so that every process spends one budget.
 */
function limitsOf(store: Store): { budgets: RateBudgets; loginThrottle: LoginThrottle } {
  const { limits } = store;
  if (limits) {
    return {
      budgets: (name, policy) => new SharedRateBudget(limits, name, policy),
      loginThrottle: new SharedLoginThrottle(limits, LOGIN_POLICIES),
    };
  }
  return {
    budgets: (_name, policy) => new RateLimiter(policy),
    loginThrottle: new InProcessLoginThrottle({
      perAddress: new RateLimiter(LOGIN_POLICIES.perAddress),
      perUsernameAndAddress: new RateLimiter(LOGIN_POLICIES.perUsernameAndAddress),
      perUsername: new RateLimiter(LOGIN_POLICIES.perUsername),
    }),
  };
}

/**
 * Services over one store: the wiring main.ts and the tests share, so a test runs exactly the
 * objects production runs. `budgets` builds the rate limits the edges keep (MCP calls).
 */
export function createServices(store: Store, config: ServiceConfig) {
  const { budgets, loginThrottle } = limitsOf(store);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  const auth = new AuthService({
    users: store.users,
    agentTokens: store.agentTokens,
    hasher: new PasswordHasher(),
    tokens,
    loginThrottle,
    registrationThrottle: budgets('register', { capacity: 50, windowMs: 60 * 60 * 1000 }),
  });
  const todos = new TodoService({ todos: store.todos, maxTodosPerUser: config.maxTodosPerUser });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokens = new AgentTokenService({ agentTokens: store.agentTokens, tokens, maxActivePerUser: 50 });
  return { auth, agentTokens, todos, health: store.health, budgets };
}
