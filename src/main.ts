// The composition root and the only entry point: reads the environment once, opens the
// database, wires repositories → services → app, listens, and shuts down cleanly.
// Run it as `node src/main.ts` under a process manager: `npm start` does not forward SIGTERM.
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import packageJson from '../package.json' with { type: 'json' };
import { createApp } from './app.ts';
import { createServices } from './compose.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { Lifecycle } from './http/health.ts';
import { LiveConnections } from './http/live-connections.ts';
import { createLogger } from './logger.ts';
import { mcpEndpoint } from './mcp/mcp-router.ts';
import { openStore } from './repositories/open-store.ts';
import { loadOrCreateSecret } from './secret-file.ts';

// Requests in progress get this long to finish once the listener is closed; with the default
// SHUTDOWN_DELAY the process still exits within ten seconds of SIGTERM.
const SHUTDOWN_GRACE_MS = 6_000;
// How long a stream or session may outlive its token when the token is revoked (or its user
// deleted) by another process; a revocation in this process ends them at once.
const CONNECTION_RECHECK_MS = 30_000;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '::1']);

function readConfig(): Config {
  try {
    return loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger(config.logLevel);
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(join(dirname(config.databasePath), 'jwt-secret'));
  const store = await openStore(config, logger).catch((error: Error & { code?: string }) => {
    // By name and code only: a driver's message may quote the connection string.
    logger.fatal({ errorName: error.name, code: error.code }, 'could not open the database');
    process.exit(1);
  });
  const services = createServices(store, { ...config, jwtSecret });
  const lifecycle: Lifecycle = { draining: false, inFlight: 0 };
  const connections = new LiveConnections({
    auth: services.auth,
    logger,
    recheckEveryMs: CONNECTION_RECHECK_MS,
  });
  const mcp =
    config.serve === 'api'
      ? undefined
      : mcpEndpoint({
          auth: services.auth,
          todos: services.todos,
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
    mcp,
  });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
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
    logger.info('draining requests: no longer accepting connections');
    // Streams never finish on their own, and one still open would hold the drain to its deadline;
    // a tool call waiting for a person's answer is ended too (with a tool error).
    connections.closeStreams();
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
    await store.close();
    logger.info('stopped');
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
