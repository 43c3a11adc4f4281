import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { ACTIVITY_DEFAULTS, AGENT_TOKENS_DEFAULT, type Config, OAUTH_MAX_GRANTS_DEFAULT } from './config.ts';
import { HttpsClientMetadataSource } from './repositories/http/https-client-metadata-source.ts';
import type { BucketPolicy, Store } from './repositories/types.ts';
import { ActivityService } from './services/activity-service.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { type ChangeFeed, InProcessChangeFeed } from './services/change-feed.ts';
import { ConcurrencyLimit } from './services/concurrency-limit.ts';
import { InProcessLoginThrottle, type LoginThrottle } from './services/login-throttle.ts';
import { AuthorizationService } from './services/oauth/authorization-service.ts';
import { OAuthClientService } from './services/oauth/client-service.ts';
import { OAuthGrantService } from './services/oauth/grant-service.ts';
import { OAuthTokenService } from './services/oauth/token-service.ts';
import { DEFAULT_ARGON2, PasswordHasher } from './services/password-hasher.ts';
import { type RateBudgets, RateLimiter } from './services/rate-limiter.ts';
import { SharedChangeFeed } from './services/shared-change-feed.ts';
import { SharedLoginThrottle, SharedRateBudget } from './services/shared-limits.ts';
import { TodoService } from './services/todo-service.ts';
import { TokenCodec } from './services/token-codec.ts';
import { WebSessionService } from './services/web-session-service.ts';

export type ServiceConfig = Pick<Config, 'publicUrl' | 'tokenTtlSeconds' | 'maxTodosPerUser'> &
  Partial<
    Pick<
      Config,
      'activityMaxPerUser' | 'activityRetentionDays' | 'oauthMaxGrantsPerUser' | 'maxAgentTokensPerUser'
    >
  > & {
    jwtSecret: string;
    /**
     * Development and tests only (never in production, see config.ts): let the authorization
     * server fetch client metadata documents from loopback addresses, trusting `extraCa`.
     */
    clientMetadata?: { allowLoopback: boolean; extraCa?: string | undefined; timeoutMs?: number } | undefined;
    /** The clock of the OAuth services, so tests can let codes and registrations expire. */
    now?: () => number;
  };

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

// Failures every fifteen minutes, refilled evenly: fifty from one address, ten for one
// username from one address, and a ceiling of a hundred for one username from anywhere.
const LOGIN_POLICIES = {
  perAddress: { capacity: 50, windowMs: 15 * MINUTE },
  perUsernameAndAddress: { capacity: 10, windowMs: 15 * MINUTE },
  perUsername: { capacity: 100, windowMs: 15 * MINUTE },
} satisfies Record<string, BucketPolicy>;

/**
 * Rate limits where the store keeps them: in this process's memory (SQLite: one process), or
 * in the shared database, so that every process spends one budget.
 */
function limitsOf(store: Store): { budgets: RateBudgets; loginThrottle: LoginThrottle } {
  const { limits } = store;
  if (limits) {
    return {
      budgets: (name, policy, now) => new SharedRateBudget(limits, name, policy, now),
      loginThrottle: new SharedLoginThrottle(limits, LOGIN_POLICIES),
    };
  }
  return {
    budgets: (_name, policy, now) => new RateLimiter({ ...policy, ...(now ? { now } : {}) }),
    loginThrottle: new InProcessLoginThrottle({
      perAddress: new RateLimiter(LOGIN_POLICIES.perAddress),
      perUsernameAndAddress: new RateLimiter(LOGIN_POLICIES.perUsernameAndAddress),
      perUsername: new RateLimiter(LOGIN_POLICIES.perUsername),
    }),
  };
}

/**
 * Services over one store, whichever engine it is: the wiring main.ts and the tests share, so
 * a test runs exactly the objects production runs. `budgets` builds the rate limits the edges
 * keep (MCP calls).
 */
export function createServices(store: Store, config: ServiceConfig, logger?: Logger) {
  const now = config.now ?? Date.now;
  const { budgets, loginThrottle } = limitsOf(store);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  // One argon2id derivation per core the process may use: more only compete with the event
  // loop for the same cores (the benchmark's login storm shows it as event-loop delay).
  const passwordHashing = new ConcurrencyLimit(availableParallelism());
  const auth = new AuthService({
    users: store.users,
    agentTokens: store.agentTokens,
    oauthGrants: store.oauthGrants,
    hasher: new PasswordHasher(DEFAULT_ARGON2, passwordHashing),
    tokens,
    loginThrottle,
    registrationThrottle: budgets('register', { capacity: 50, windowMs: HOUR }),
  });
  // In-process with SQLite (one process serves one file); across processes with PostgreSQL,
  // from the database's announcements (LISTEN/NOTIFY).
  const onChangeError = (error: unknown) =>
    logger?.error({ errorName: (error as Error)?.name }, 'a change listener failed');
  const changes: ChangeFeed = store.changeSignals
    ? new SharedChangeFeed({ signals: store.changeSignals, activity: store.activity, onError: onChangeError })
    : new InProcessChangeFeed(onChangeError);
  const todos = new TodoService({
    todos: store.todos,
    maxTodosPerUser: config.maxTodosPerUser,
    changes,
    activityPerUser: config.activityMaxPerUser ?? ACTIVITY_DEFAULTS.maxPerUser,
  });
  const activity = new ActivityService({
    activity: store.activity,
    retentionDays: config.activityRetentionDays ?? ACTIVITY_DEFAULTS.retentionDays,
  });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokens = new AgentTokenService({
    agentTokens: store.agentTokens,
    tokens,
    maxActivePerUser: config.maxAgentTokensPerUser ?? AGENT_TOKENS_DEFAULT,
  });
  const oauthClients = new OAuthClientService({
    clients: store.oauthClients,
    documents: new HttpsClientMetadataSource({
      allowLoopback: config.clientMetadata?.allowLoopback ?? false,
      extraCa: config.clientMetadata?.extraCa,
      timeoutMs: config.clientMetadata?.timeoutMs ?? 3000,
      // The draft suggests 5 kB; real documents (Claude's, VS Code's) are well under 1 kB.
      maxBytes: 5 * 1024,
    }),
    // Thirty registrations per address an hour: a host registers once per install.
    registrationThrottle: budgets('oauth-register', { capacity: 30, windowMs: HOUR }, now),
    unusedRegistrationTtlMs: DAY,
    documentCacheMs: 15 * MINUTE,
    now,
  });
  const maxGrantsPerUser = config.oauthMaxGrantsPerUser ?? OAUTH_MAX_GRANTS_DEFAULT;
  const oauth = {
    clients: oauthClients,
    authorization: new AuthorizationService({
      clients: oauthClients,
      codes: store.authorizationCodes,
      consents: store.oauthConsents,
      grants: store.oauthGrants,
      tokens,
      codeTtlMs: MINUTE,
      maxGrantsPerUser,
      now,
    }),
    tokens: new OAuthTokenService({
      clients: oauthClients,
      codes: store.authorizationCodes,
      grants: store.oauthGrants,
      tokens,
      refreshTtlMs: 30 * DAY,
      maxGrantsPerUser,
      now,
    }),
    grants: new OAuthGrantService({ grants: store.oauthGrants, consents: store.oauthConsents, now }),
  };
  const webSessions = new WebSessionService({ auth, sessions: store.webSessions, ttlMs: 12 * HOUR, now });
  return {
    auth,
    agentTokens,
    todos,
    activity,
    changes,
    oauth,
    webSessions,
    health: store.health,
    budgets,
    /** Observable for tests and diagnostics: how many derivations run and wait now. */
    passwordHashing,
  };
}

export type Services = ReturnType<typeof createServices>;
export type OAuthServices = Services['oauth'];
