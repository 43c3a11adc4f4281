// The test harness: a fresh database (SQLite, or PostgreSQL for the suites that run on both
// engines), the real services and createApp, and helpers to sign users in. No mocks: every
// test runs the objects production runs.
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { Express } from 'express';
import type { Logger } from 'pino';
import request from 'supertest';
import type { EventStreamLimits } from '../src/api/event-streams.ts';
import { createApp } from '../src/app.ts';
import { createServices, type ServiceConfig } from '../src/compose.ts';
import type { Lifecycle } from '../src/http/health.ts';
import { createHttpServer } from '../src/http/http-server.ts';
import { LiveConnections } from '../src/http/live-connections.ts';
import { createLogger } from '../src/logger.ts';
import { type McpEndpoint, type McpEndpointOptions, mcpEndpoint } from '../src/mcp/mcp-router.ts';
import { type Db, openDatabase } from '../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../src/repositories/sqlite/sqlite-store.ts';
import type { Actor, Via } from '../src/repositories/types.ts';
import {
  type Engine,
  openTestStore,
  sqliteData,
  type TestData,
  type TestStore,
  type TestStoreOptions,
} from './engines.ts';

export const TEST_SECRET = 'test-secret-that-is-at-least-32-bytes-long!';
export const PUBLIC_URL = 'http://localhost:3000';
export const PASSWORD = 'correct horse battery staple';
/** The sign-in token lifetime of every test service, in seconds. */
export const TEST_TOKEN_TTL = 3600;

export interface TestUser {
  id: string;
  username: string;
  token: string;
}

/** A test service on either engine; `data` reads what is stored. */
export interface EngineTestContext {
  engine: Engine;
  app: Express;
  data: TestData;
  services: ReturnType<typeof createServices>;
  lifecycle: Lifecycle;
  /** The registry of open streams and sessions /mcp and /api share. */
  connections: LiveConnections;
  /** Every log line written so far, parsed. */
  logs: () => Record<string, unknown>[];
  /** The raw log output, for checks that nothing secret was written. */
  rawLogs: () => string;
  mcp: McpEndpoint;
  /** The logger the app writes to (captured for logs()). */
  logger: Logger;
  /** Registers a user (unique name unless given) and returns it with a full-scope token. */
  signUp: (username?: string) => Promise<TestUser>;
  /** Listens on an ephemeral loopback port (for real MCP clients) and returns the base URL. */
  listen: () => Promise<string>;
  /** Closes MCP sessions, the listening server if any, and the database. */
  close: () => Promise<void>;
}

/** A test service on an in-memory (or given) SQLite database, which the test may also use directly. */
export interface TestContext extends EngineTestContext {
  db: Db;
}

export type McpOverrides = Partial<
  Pick<
    McpEndpointOptions,
    | 'legacySessions'
    | 'sessionIdleTtlMs'
    | 'maxSessions'
    | 'maxSessionsPerUser'
    | 'callsPerMinute'
    | 'maxListenStreams'
    | 'maxListenStreamsPerUser'
    | 'allowedHosts'
  >
>;

let counter = 0;

export type ContextOverrides = Partial<ServiceConfig> & {
  corsOrigins?: string[];
  databasePath?: string;
  mcp?: McpOverrides;
  /** How often open streams and sessions have their token checked again (default: once a minute). */
  recheckEveryMs?: number;
  /** A server already listening at `publicUrl` (see createListeningContext). */
  server?: Server;
  /** Caps and heartbeat of GET /api/events. */
  events?: Partial<EventStreamLimits>;
  /** Express's `trust proxy`, so a test can name the client address in X-Forwarded-For. */
  trustProxy?: string;
};

export function createTestContext(overrides: ContextOverrides = {}): TestContext {
  const db = openDatabase(overrides.databasePath ?? ':memory:');
  const store = sqliteStore(db);
  const ctx = buildContext(
    { store, data: sqliteData(db), url: undefined, close: () => store.close() },
    overrides,
  );
  return { ...ctx, db };
}

/** The same service on `engine`: a fresh database each time, dropped by close(). */
export async function createEngineContext(
  engine: Engine,
  overrides: ContextOverrides = {},
  storeOptions: TestStoreOptions = {},
): Promise<EngineTestContext> {
  return buildContext(await openTestStore(engine, storeOptions), overrides, engine);
}

function buildContext(
  { store, data, close: closeStore }: TestStore,
  overrides: ContextOverrides,
  engine: Engine = 'sqlite',
): EngineTestContext {
  const {
    server: listening,
    corsOrigins: _origins,
    databasePath: _path,
    mcp: _mcp,
    recheckEveryMs: _recheck,
    events: _events,
    trustProxy: _trustProxy,
    ...serviceOverrides
  } = overrides;
  const config: ServiceConfig = {
    publicUrl: PUBLIC_URL,
    tokenTtlSeconds: TEST_TOKEN_TTL,
    maxTodosPerUser: 10_000,
    jwtSecret: TEST_SECRET,
    ...serviceOverrides,
  };
  let output = '';
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      output += String(chunk);
      callback();
    },
  });
  const logger = createLogger('debug', { destination: sink });
  const services = createServices(store, config, logger);
  const lifecycle: Lifecycle = { draining: false, inFlight: 0 };
  const connections = new LiveConnections({
    auth: services.auth,
    webSessions: services.webSessions,
    logger,
    recheckEveryMs: overrides.recheckEveryMs ?? 60_000,
  });
  const mcp = mcpEndpoint({
    auth: services.auth,
    todos: services.todos,
    activity: services.activity,
    changes: services.changes,
    logger,
    publicUrl: config.publicUrl,
    allowedOrigins: overrides.corsOrigins ?? [],
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    legacySessions: true,
    sessionIdleTtlMs: 15 * 60_000,
    maxSessions: 1000,
    maxSessionsPerUser: 1000,
    callsPerMinute: 10_000,
    budgets: services.budgets,
    maxListenStreams: 1024,
    maxListenStreamsPerUser: 10,
    connections,
    version: '0.0.0-test',
    ...overrides.mcp,
  });
  const app = createApp({
    ...services,
    logger,
    publicUrl: config.publicUrl,
    corsOrigins: overrides.corsOrigins ?? [],
    lifecycle,
    connections,
    events: overrides.events,
    trustProxy: overrides.trustProxy,
    mcp,
  });
  let server: Server | undefined = listening;
  listening?.on('request', app);

  const signUp = async (username = `user${++counter}_${process.pid}`): Promise<TestUser> => {
    const registered = await request(app).post('/api/auth/register').send({ username, password: PASSWORD });
    if (registered.status !== 201)
      throw new Error(`register failed: ${registered.status} ${registered.text}`);
    const issued = await request(app).post('/api/auth/token').send({ username, password: PASSWORD });
    if (issued.status !== 200) throw new Error(`token failed: ${issued.status} ${issued.text}`);
    return { id: registered.body.id, username, token: issued.body.access_token };
  };

  return {
    engine,
    app,
    data,
    services,
    lifecycle,
    connections,
    logs: () =>
      output
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    rawLogs: () => output,
    mcp,
    logger,
    signUp,
    listen: async () => {
      server ??= createHttpServer(app).listen(0, '127.0.0.1');
      if (!server.listening) await once(server, 'listening');
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    },
    close: async () => {
      await mcp.close();
      connections.close();
      if (server) {
        server.closeAllConnections();
        await new Promise((resolve) => server?.close(resolve));
      }
      await closeStore();
    },
  };
}

/**
 * A context whose public URL is the address it listens on, as OAuth clients need: they check
 * that the issuer and the protected resource are the URLs they actually reached.
 */
export async function createListeningContext(
  overrides: Parameters<typeof createTestContext>[0] = {},
): Promise<TestContext & { base: string }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const ctx = createTestContext({ ...overrides, publicUrl: base, server });
  return { ...ctx, base };
}

/** Todos stored, whoever owns them: checks that a refused request wrote nothing. */
export const countTodos = (ctx: TestContext): number =>
  ctx.db.prepare('SELECT count(*) FROM todos').pluck().get() as number;

export const bearer = (user: TestUser) => ({ Authorization: `Bearer ${user.token}` });

/** The user as the actor of a write made directly through the services (through the API unless said). */
export const by = (user: { id: string }, via: Via = 'api'): Actor => ({ userId: user.id, via });
