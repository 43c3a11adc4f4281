// Configuration comes from the environment only, is parsed once here, and is passed down
// as plain values. Defaults make `npm start` work on one machine with no configuration;
// a malformed value stops the start with a message that names the variable.
import { z } from 'zod';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The activity log's bounds when not configured (also what createServices uses when not told). */
export const ACTIVITY_DEFAULTS = { maxPerUser: 1000, retentionDays: 30 } as const;

/**
 * Active OAuth grants one person may hold when not configured: each is a connected app and a
 * refresh-token family, and fifty is more apps than anyone connects (the agent-token cap too).
 */
export const OAUTH_MAX_GRANTS_DEFAULT = 50;
export const AGENT_TOKENS_DEFAULT = 50;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** "3600", "90s", "30m", "1h", "7d" → seconds. */
const duration = z
  .string()
  .regex(/^\d+(s|m|h|d)?$/, 'must be a number of seconds or a number followed by s, m, h or d (e.g. 1h)')
  .transform((value) => {
    const unit = value.at(-1) ?? 's';
    const factor = { s: 1, m: 60, h: 3600, d: 86_400 }[unit] ?? 1;
    return Number.parseInt(value, 10) * factor;
  })
  .pipe(
    z
      .int()
      .min(60, 'must be at least one minute')
      .max(30 * 86_400, 'must be at most 30 days'),
  );

/** "500ms", "5s" or "5" (seconds) → milliseconds; 0 allowed. */
const shortDuration = z
  .string()
  .regex(/^\d+(ms|s)?$/, 'must be a number of seconds, or a number followed by ms or s (e.g. 5s, 500ms)')
  .transform((value) =>
    value.endsWith('ms') ? Number.parseInt(value, 10) : Number.parseInt(value, 10) * 1000,
  )
  .pipe(
    z
      .int()
      .min(0)
      .max(10 * 60_000, 'must be at most 10 minutes'),
  );

const positiveInteger = z
  .string()
  .regex(/^\d+$/, 'must be a whole number')
  .transform(Number)
  .pipe(z.int().min(1));

const origin = z.url({ protocol: /^https?$/ }).transform((value, ctx) => {
  const url = new URL(value);
  if (url.origin !== value.replace(/\/$/, '')) {
    ctx.addIssue({ code: 'custom', message: `${value} is not an origin (scheme://host[:port], no path)` });
  }
  return url.origin;
});

const schema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z
    .string()
    .regex(/^\d{1,5}$/, 'must be a port number')
    .transform(Number)
    .pipe(z.int().max(65_535))
    .default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  DATABASE_PATH: z.string().min(1).default('./data/todos.db'),
  DATABASE_SYNCHRONOUS: z.enum(['NORMAL', 'FULL']).default('NORMAL'),
  // PostgreSQL instead of SQLite; TLS and other connection options ride in the URL (sslmode=...).
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
  DATABASE_POOL_SIZE: positiveInteger.pipe(z.int().max(1000)).default(10),
  DATABASE_STATEMENT_TIMEOUT: shortDuration.pipe(z.int().min(1, 'must be more than 0')).default(5000),
  JWT_SECRET: z
    .string()
    .refine((value) => Buffer.byteLength(value, 'utf8') >= 32, 'must be at least 32 bytes')
    .optional(),
  TOKEN_TTL: duration.default(3600),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  LOG_FORMAT: z.enum(['pretty', 'json']).optional(),
  TRUST_PROXY: z
    .string()
    .regex(
      /^(\d{1,2}|loopback|linklocal|uniquelocal)$/,
      'must be a number of proxy hops or loopback, linklocal, uniquelocal',
    )
    .optional(),
  SERVE: z.enum(['both', 'api', 'mcp']).default('both'),
  // Default: on with SQLite (one process), off with DATABASE_URL (sessions live in one process's memory).
  MCP_LEGACY_SESSIONS: z.enum(['on', 'off']).optional(),
  MCP_SESSION_IDLE_TTL: duration.default(15 * 60),
  MCP_MAX_SESSIONS: positiveInteger.default(1000),
  MCP_MAX_SESSIONS_PER_USER: positiveInteger.default(20),
  MCP_MAX_LISTENS: positiveInteger.default(1024),
  MCP_MAX_LISTENS_PER_USER: positiveInteger.default(10),
  MCP_CALLS_PER_MINUTE: positiveInteger.default(120),
  // Its old name counted tool calls only: refused rather than ignored, so no limit is lost silently.
  MCP_TOOL_CALLS_PER_MINUTE: z
    .undefined({
      error: 'was renamed MCP_CALLS_PER_MINUTE (it now counts every MCP call that reads or changes todos)',
    })
    .optional(),
  MAX_TODOS_PER_USER: positiveInteger.default(10_000),
  MAX_AGENT_TOKENS_PER_USER: positiveInteger.default(AGENT_TOKENS_DEFAULT),
  SHUTDOWN_DELAY: shortDuration.default(3000),
  OAUTH_METADATA_ALLOW_LOOPBACK: z.enum(['on', 'off']).default('off'),
  OAUTH_METADATA_EXTRA_CA: z.string().min(1).optional(),
  OAUTH_MAX_GRANTS_PER_USER: positiveInteger.default(OAUTH_MAX_GRANTS_DEFAULT),
  ACTIVITY_MAX_PER_USER: positiveInteger.default(ACTIVITY_DEFAULTS.maxPerUser),
  ACTIVITY_RETENTION_DAYS: positiveInteger
    .pipe(z.int().max(3650, 'must be at most 3650 (ten years)'))
    .default(ACTIVITY_DEFAULTS.retentionDays),
  EVENTS_MAX_STREAMS: positiveInteger.default(10_000),
  EVENTS_MAX_STREAMS_PER_USER: positiveInteger.default(10),
});

export interface Config {
  env: 'development' | 'test' | 'production';
  host: string;
  port: number;
  /** Base URL clients use to reach us, without a trailing slash: the JWT issuer and resource prefix. */
  publicUrl: string;
  databasePath: string;
  databaseSynchronous: 'NORMAL' | 'FULL';
  /** PostgreSQL connection URL; undefined means SQLite at databasePath. */
  databaseUrl: string | undefined;
  /** Connections each process keeps open to PostgreSQL at most. */
  databasePoolSize: number;
  /** PostgreSQL statement_timeout: a query running longer is cancelled. */
  databaseStatementTimeoutMs: number;
  /** Undefined outside production: main.ts then keeps a generated secret beside the database. */
  jwtSecret: string | undefined;
  tokenTtlSeconds: number;
  corsOrigins: string[];
  logLevel: (typeof LOG_LEVELS)[number];
  /** Undefined: main.ts picks pretty in development on a terminal, JSON otherwise (logger.ts). */
  logFormat: 'pretty' | 'json' | undefined;
  /**
   * Which proxies in front of us to believe about the client address (Express's `trust proxy`).
   * Unset: the socket address, so behind a proxy every client would share one login throttle.
   */
  trustProxy: string | number | undefined;
  maxTodosPerUser: number;
  /** Most agent tokens one user may hold active (neither revoked nor expired). */
  maxAgentTokensPerUser: number;
  /** Which interfaces this process serves: /mcp can be scaled as its own process. */
  serve: 'both' | 'api' | 'mcp';
  /** Serve 2025-era MCP clients on sessions (needs sticky routing across processes); off by default with PostgreSQL. */
  mcpLegacySessions: boolean;
  mcpSessionIdleTtlSeconds: number;
  mcpMaxSessions: number;
  mcpMaxSessionsPerUser: number;
  /** Open 2026-07-28 subscriptions/listen streams in this process, and per user. */
  mcpMaxListenStreams: number;
  mcpMaxListenStreamsPerUser: number;
  /** MCP calls that read or change todos (tool calls, resources, prompts, completions) per user per minute. */
  mcpCallsPerMinute: number;
  /**
   * After SIGTERM, how long /health answers 503 while requests are still served, so that a load
   * balancer stops sending before the listener closes.
   */
  shutdownDelayMs: number;
  /**
   * Development and tests only, refused in production: let the authorization server fetch
   * client ID metadata documents from loopback addresses (an SSRF surface otherwise closed),
   * trusting the PEM certificate at `extraCaPath` besides the system's.
   */
  oauthMetadataDocuments: { allowLoopback: boolean; extraCaPath: string | undefined };
  /** Apps one person may have connected through OAuth at once (grants neither revoked nor lapsed). */
  oauthMaxGrantsPerUser: number;
  /** The activity log keeps at most this many entries per user, and none older than the retention. */
  activityMaxPerUser: number;
  activityRetentionDays: number;
  /** Open GET /api/events streams in this process, and per user. */
  eventsMaxStreams: number;
  eventsMaxStreamsPerUser: number;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  // An empty variable (`PORT=` in an env file) means "not set", as most tools read it.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const values = result.data;
  if (values.NODE_ENV === 'production' && values.JWT_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_SECRET: is required when NODE_ENV=production (at least 32 bytes)',
    );
  }
  if (values.DATABASE_URL !== undefined && values.JWT_SECRET === undefined) {
    throw new ConfigError(
      'Invalid configuration:\n  JWT_SECRET: is required with DATABASE_URL: every process must sign and verify tokens with the same secret',
    );
  }
  if (
    values.NODE_ENV === 'production' &&
    (values.OAUTH_METADATA_ALLOW_LOOPBACK === 'on' || values.OAUTH_METADATA_EXTRA_CA !== undefined)
  ) {
    throw new ConfigError(
      'Invalid configuration:\n  OAUTH_METADATA_ALLOW_LOOPBACK, OAUTH_METADATA_EXTRA_CA: are for development and tests only, not NODE_ENV=production',
    );
  }
  return {
    env: values.NODE_ENV,
    host: values.HOST,
    port: values.PORT,
    publicUrl: (values.PUBLIC_URL ?? `http://localhost:${values.PORT}`).replace(/\/+$/, ''),
    databasePath: values.DATABASE_PATH,
    databaseSynchronous: values.DATABASE_SYNCHRONOUS,
    databaseUrl: values.DATABASE_URL,
    databasePoolSize: values.DATABASE_POOL_SIZE,
    databaseStatementTimeoutMs: values.DATABASE_STATEMENT_TIMEOUT,
    jwtSecret: values.JWT_SECRET,
    tokenTtlSeconds: values.TOKEN_TTL,
    corsOrigins: values.CORS_ORIGINS,
    logLevel: values.LOG_LEVEL,
    logFormat: values.LOG_FORMAT,
    trustProxy:
      values.TRUST_PROXY === undefined || !/^\d+$/.test(values.TRUST_PROXY)
        ? values.TRUST_PROXY
        : Number(values.TRUST_PROXY),
    maxTodosPerUser: values.MAX_TODOS_PER_USER,
    maxAgentTokensPerUser: values.MAX_AGENT_TOKENS_PER_USER,
    serve: values.SERVE,
    mcpLegacySessions: (values.MCP_LEGACY_SESSIONS ?? (values.DATABASE_URL ? 'off' : 'on')) === 'on',
    mcpSessionIdleTtlSeconds: values.MCP_SESSION_IDLE_TTL,
    mcpMaxSessions: values.MCP_MAX_SESSIONS,
    mcpMaxSessionsPerUser: values.MCP_MAX_SESSIONS_PER_USER,
    mcpMaxListenStreams: values.MCP_MAX_LISTENS,
    mcpMaxListenStreamsPerUser: values.MCP_MAX_LISTENS_PER_USER,
    mcpCallsPerMinute: values.MCP_CALLS_PER_MINUTE,
    shutdownDelayMs: values.SHUTDOWN_DELAY,
    oauthMetadataDocuments: {
      allowLoopback: values.OAUTH_METADATA_ALLOW_LOOPBACK === 'on',
      extraCaPath: values.OAUTH_METADATA_EXTRA_CA,
    },
    oauthMaxGrantsPerUser: values.OAUTH_MAX_GRANTS_PER_USER,
    activityMaxPerUser: values.ACTIVITY_MAX_PER_USER,
    activityRetentionDays: values.ACTIVITY_RETENTION_DAYS,
    eventsMaxStreams: values.EVENTS_MAX_STREAMS,
    eventsMaxStreamsPerUser: values.EVENTS_MAX_STREAMS_PER_USER,
  };
}
