import { availableParallelism } from 'node:os';
import type { Logger } from 'pino';
import { ACTIVITY_DEFAULTS, type Config } from './config.ts';
import type { Db } from './repositories/database.ts';
import { HttpsClientMetadataSource } from './repositories/https-client-metadata-source.ts';
import { SqliteActivityRepository } from './repositories/sqlite-activity-repository.ts';
import { SqliteAgentTokenRepository } from './repositories/sqlite-agent-token-repository.ts';
import { SqliteAuthorizationCodeRepository } from './repositories/sqlite-authorization-code-repository.ts';
import { SqliteHealthProbe } from './repositories/sqlite-health-probe.ts';
import { SqliteOAuthClientRepository } from './repositories/sqlite-oauth-client-repository.ts';
import { SqliteOAuthConsentRepository } from './repositories/sqlite-oauth-consent-repository.ts';
import { SqliteOAuthGrantRepository } from './repositories/sqlite-oauth-grant-repository.ts';
import { SqliteStore } from './repositories/sqlite-store.ts';
import { SqliteTodoRepository } from './repositories/sqlite-todo-repository.ts';
import { SqliteUserRepository } from './repositories/sqlite-user-repository.ts';
import { SqliteWebSessionRepository } from './repositories/sqlite-web-session-repository.ts';
import { ActivityService } from './services/activity-service.ts';
import { AgentTokenService } from './services/agent-token-service.ts';
import { AuthService } from './services/auth-service.ts';
import { InProcessChangeFeed } from './services/change-feed.ts';
import { ConcurrencyLimit } from './services/concurrency-limit.ts';
import { InProcessLoginThrottle } from './services/login-throttle.ts';
import { AuthorizationService } from './services/oauth/authorization-service.ts';
import { OAuthClientService } from './services/oauth/client-service.ts';
import { OAuthGrantService } from './services/oauth/grant-service.ts';
import { OAuthTokenService } from './services/oauth/token-service.ts';
import { DEFAULT_ARGON2, PasswordHasher } from './services/password-hasher.ts';
import { RateLimiter } from './services/rate-limiter.ts';
import { TodoService } from './services/todo-service.ts';
import { TokenCodec } from './services/token-codec.ts';
import { WebSessionService } from './services/web-session-service.ts';

export type ServiceConfig = Pick<Config, 'publicUrl' | 'tokenTtlSeconds' | 'maxTodosPerUser'> &
  Partial<Pick<Config, 'activityMaxPerUser' | 'activityRetentionDays'>> & {
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

/**
 * Repositories and services over one database: the wiring main.ts and the tests share, so a
 * test runs exactly the objects production runs.
 */
export function createServices(db: Db, config: ServiceConfig, logger?: Logger) {
  const now = config.now ?? Date.now;
  const store = new SqliteStore(db);
  const agentTokens = new SqliteAgentTokenRepository(store);
  const oauthGrants = new SqliteOAuthGrantRepository(store);
  const oauthConsents = new SqliteOAuthConsentRepository(store);
  const tokens = new TokenCodec({
    secret: config.jwtSecret,
    publicUrl: config.publicUrl,
    ttlSeconds: config.tokenTtlSeconds,
  });
  // One argon2id derivation per core the process may use: more only compete with the event
  // loop for the same cores (the benchmark's login storm shows it as event-loop delay).
  const passwordHashing = new ConcurrencyLimit(availableParallelism());
  const auth = new AuthService({
    users: new SqliteUserRepository(store),
    agentTokens,
    oauthGrants,
    hasher: new PasswordHasher(DEFAULT_ARGON2, passwordHashing),
    tokens,
    // Failures every fifteen minutes, refilled evenly: fifty from one address, ten for one
    // username from one address, and a ceiling of a hundred for one username from anywhere.
    loginThrottle: new InProcessLoginThrottle({
      perAddress: new RateLimiter({ capacity: 50, windowMs: 15 * MINUTE }),
      perUsernameAndAddress: new RateLimiter({ capacity: 10, windowMs: 15 * MINUTE }),
      perUsername: new RateLimiter({ capacity: 100, windowMs: 15 * MINUTE }),
    }),
    registrationThrottle: new RateLimiter({ capacity: 50, windowMs: HOUR }),
  });
  // In-process: one process serves one SQLite file. A PostgreSQL deployment of several
  // processes gets a LISTEN/NOTIFY feed here instead.
  const changes = new InProcessChangeFeed((error) =>
    logger?.error({ errorName: (error as Error)?.name }, 'a change listener failed'),
  );
  const todos = new TodoService({
    todos: new SqliteTodoRepository(store),
    maxTodosPerUser: config.maxTodosPerUser,
    changes,
    activityPerUser: config.activityMaxPerUser ?? ACTIVITY_DEFAULTS.maxPerUser,
  });
  const activity = new ActivityService({
    activity: new SqliteActivityRepository(store),
    retentionDays: config.activityRetentionDays ?? ACTIVITY_DEFAULTS.retentionDays,
  });
  // A person holds at most fifty live agent tokens: enough for every device and tool they use.
  const agentTokenService = new AgentTokenService({ agentTokens, tokens, maxActivePerUser: 50 });
  const oauthClients = new OAuthClientService({
    clients: new SqliteOAuthClientRepository(store),
    documents: new HttpsClientMetadataSource({
      allowLoopback: config.clientMetadata?.allowLoopback ?? false,
      extraCa: config.clientMetadata?.extraCa,
      timeoutMs: config.clientMetadata?.timeoutMs ?? 3000,
      // The draft suggests 5 kB; real documents (Claude's, VS Code's) are well under 1 kB.
      maxBytes: 5 * 1024,
    }),
    // Thirty registrations per address an hour: a host registers once per install.
    registrationThrottle: new RateLimiter({ capacity: 30, windowMs: HOUR, now }),
    unusedRegistrationTtlMs: DAY,
    documentCacheMs: 15 * MINUTE,
    now,
  });
  const codes = new SqliteAuthorizationCodeRepository(store);
  const oauth = {
    clients: oauthClients,
    authorization: new AuthorizationService({
      clients: oauthClients,
      codes,
      consents: oauthConsents,
      tokens,
      codeTtlMs: MINUTE,
      now,
    }),
    tokens: new OAuthTokenService({
      clients: oauthClients,
      codes,
      grants: oauthGrants,
      tokens,
      refreshTtlMs: 30 * DAY,
      now,
    }),
    grants: new OAuthGrantService({ grants: oauthGrants, consents: oauthConsents, now }),
  };
  const webSessions = new WebSessionService({
    auth,
    sessions: new SqliteWebSessionRepository(store),
    ttlMs: 12 * HOUR,
    now,
  });
  return {
    auth,
    agentTokens: agentTokenService,
    todos,
    activity,
    changes,
    oauth,
    webSessions,
    health: new SqliteHealthProbe(store),
    /** Observable for tests and diagnostics: how many derivations run and wait now. */
    passwordHashing,
  };
}

export type Services = ReturnType<typeof createServices>;
export type OAuthServices = Services['oauth'];
