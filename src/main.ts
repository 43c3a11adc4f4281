// The composition root: reads the environment once, opens the database, wires repositories →
// services → app, listens, and shuts down cleanly. It is reached through src/start.js, which
// checks the Node.js version first. Run `node src/start.js` under a process manager: `npm start`
// does not forward SIGTERM.
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import packageJson from '../package.json' with { type: 'json' };
import { createApp } from './app.ts';
import { createServices } from './compose.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { Lifecycle } from './http/health.ts';
import { createHttpServer } from './http/http-server.ts';
import { LiveConnections } from './http/live-connections.ts';
import { chooseLogFormat, createLogger } from './logger.ts';
import { mcpEndpoint } from './mcp/mcp-router.ts';
import { openStore } from './repositories/open-store.ts';
import { DatabaseUnusableError } from './repositories/sqlite/database.ts';
import type { Store } from './repositories/types.ts';
import { loadOrCreateSecret } from './secret-file.ts';

// Requests in progress get this long to finish once the listener is closed; with the default
// SHUTDOWN_DELAY the process still exits within ten seconds of SIGTERM.
const SHUTDOWN_GRACE_MS = 6_000;
// How long a stream or session may outlive its token when the token is revoked (or its user
// deleted) by another process; a revocation in this process ends them at once.
const CONNECTION_RECHECK_MS = 30_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);
// How often activity entries past their retention are deleted (in small batches).
const ACTIVITY_PRUNE_EVERY_MS = 10 * 60_000;

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

/**
 * Opens the configured database, or exits 1: an unusable SQLite file is one line naming
 * DATABASE_PATH and what is wrong (a stack would bury the cause); a PostgreSQL failure is
 * logged by name and code only, since a driver's message may quote the connection string.
 */
async function openStoreOrExit(config: Config, logger: Logger): Promise<Store> {
  try {
    return await openStore(config, logger);
  } catch (error) {
    if (error instanceof DatabaseUnusableError) {
      process.stderr.write(`DATABASE_PATH ${config.databasePath} cannot be used: ${error.message}\n`);
    } else {
      const { name, code } = error as Error & { code?: string };
      logger.fatal({ errorName: name, code }, 'could not open the database');
    }
    process.exit(1);
  }
}

// What a newcomer can do about the listen errors they meet, one line each; anything else keeps its stack.
const LISTEN_ERRORS: Record<string, (config: Config) => string> = {
  EADDRINUSE: ({ host, port }) =>
    `${host}:${port} is already in use: stop the process that holds it, or set PORT to another port.`,
  EACCES: ({ host, port }) =>
    `${host}:${port} may not be used by this user (ports below 1024 need privileges): set PORT to another port.`,
  EADDRNOTAVAIL: ({ host }) =>
    `HOST ${host} is not an address of this machine: set HOST to 127.0.0.1, or 0.0.0.0 for every address.`,
};

/** Listens, or says in one line why the address cannot be used and exits 1. */
async function listenOrExit(server: Server, config: Config): Promise<void> {
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    const explain = LISTEN_ERRORS[(error as NodeJS.ErrnoException).code ?? ''];
    if (explain === undefined) throw error;
    process.stderr.write(`${explain(config)}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel, {
    format: chooseLogFormat(config.logFormat, config.env, process.stdout.isTTY === true),
  });
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(join(dirname(config.databasePath), 'jwt-secret'));
  const store = await openStoreOrExit(config, logger);
  const { allowLoopback, extraCaPath } = config.oauthMetadataDocuments;
  const services = createServices(
    store,
    {
      ...config,
      jwtSecret,
      clientMetadata: {
        allowLoopback,
        extraCa: extraCaPath === undefined ? undefined : readFileSync(extraCaPath, 'utf8'),
      },
    },
    logger,
  );
  const stopPruning = services.activity.startPruning(ACTIVITY_PRUNE_EVERY_MS, (error) =>
    logger.error({ errorName: (error as Error)?.name }, 'activity pruning failed'),
  );
  const lifecycle: Lifecycle = { draining: false, inFlight: 0 };
  const connections = new LiveConnections({
    auth: services.auth,
    webSessions: services.webSessions,
    logger,
    recheckEveryMs: CONNECTION_RECHECK_MS,
  });
  const mcp =
    config.serve === 'api'
      ? undefined
      : mcpEndpoint({
          auth: services.auth,
          todos: services.todos,
          activity: services.activity,
          changes: services.changes,
          logger,
          publicUrl: config.publicUrl,
          allowedOrigins: config.corsOrigins,
          // Bound to loopback, a browser tricked by DNS rebinding is the threat: check Host too.
          allowedHosts: LOOPBACK_HOSTS.has(config.host)
            ? ['localhost', '127.0.0.1', '[::1]', new URL(config.publicUrl).hostname]
            : undefined,
          legacySessions: config.mcpLegacySessions,
          sessionIdleTtlMs: config.mcpSessionIdleTtlSeconds * 1000,
          maxSessions: config.mcpMaxSessions,
          maxSessionsPerUser: config.mcpMaxSessionsPerUser,
          callsPerMinute: config.mcpCallsPerMinute,
          budgets: services.budgets,
          maxListenStreams: config.mcpMaxListenStreams,
          maxListenStreamsPerUser: config.mcpMaxListenStreamsPerUser,
          connections,
          version: packageJson.version,
        });
  const app = createApp({
    ...services,
    logger,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    lifecycle,
    connections,
    trustProxy: config.trustProxy,
    api: config.serve !== 'mcp',
    events: { maxStreams: config.eventsMaxStreams, maxStreamsPerUser: config.eventsMaxStreamsPerUser },
    mcp,
  });

  const server = createHttpServer(app);
  await listenOrExit(server, config);
  logger.info(
    {
      url: config.publicUrl,
      host: config.host,
      port: config.port,
      serve: config.serve,
      database: store.engine,
      legacySessions: config.mcpLegacySessions,
    },
    'todos is listening',
  );

  // The sequence load balancers expect: /health fails at once while requests are still served
  // (so the balancer notices and stops sending), then the listener closes, streams end, the
  // requests in progress finish, sessions close, and the database closes last.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    lifecycle.draining = true;
    logger.info({ signal, delayMs: config.shutdownDelayMs }, 'shutting down: /health answers 503');
    if (config.shutdownDelayMs > 0) await sleep(config.shutdownDelayMs);
    const deadline = Date.now() + SHUTDOWN_GRACE_MS;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Logged once the listener is closed: whoever reads it may rely on new connections failing.
    logger.info('draining requests: no longer accepting connections');
    // Streams never finish on their own, and one still open would hold the drain to its deadline;
    // a tool call waiting for a person's answer is ended too (with a tool error).
    connections.closeStreams();
    server.closeIdleConnections();
    // Let requests in progress finish, then end MCP sessions, which may be serving some of them.
    // A request still arriving when the listener closed (its headers half read) is not counted
    // in flight yet, but its connection is open: wait for every connection, closing each as
    // soon as it falls idle.
    const openConnections = () =>
      new Promise<number>((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
    while (Date.now() < deadline && (lifecycle.inFlight > 0 || (await openConnections()) > 0)) {
      server.closeIdleConnections();
      await sleep(25);
    }
    await mcp?.close();
    connections.close();
    server.closeIdleConnections();
    const forced = setTimeout(() => server.closeAllConnections(), Math.max(0, deadline - Date.now()));
    await closed;
    clearTimeout(forced);
    await stopPruning();
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
