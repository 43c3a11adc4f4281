// The composition root and the only entry point: reads the environment once, opens the
// database, wires repositories → services → app, listens, and shuts down cleanly.
// Run it as `node src/main.ts` under a process manager: `npm start` does not forward SIGTERM.
import { once } from 'node:events';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { createApp } from './app.ts';
import { createServices } from './compose.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { Lifecycle } from './http/health.ts';
import { createLogger } from './logger.ts';
import { openDatabase } from './repositories/database.ts';
import { loadOrCreateSecret } from './secret-file.ts';

const SHUTDOWN_GRACE_MS = 8_000;

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const jwtSecret = config.jwtSecret ?? loadOrCreateSecret(join(dirname(config.databasePath), 'jwt-secret'));
  const db = openDatabase(config.databasePath, { synchronous: config.databaseSynchronous });
  const lifecycle: Lifecycle = { draining: false };
  const app = createApp({
    ...createServices(db, { ...config, jwtSecret }),
    logger,
    publicUrl: config.publicUrl,
    corsOrigins: config.corsOrigins,
    lifecycle,
  });

  const server = app.listen(config.port, config.host);
  await once(server, 'listening');
  logger.info({ url: config.publicUrl, host: config.host, port: config.port }, 'todos is listening');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: draining requests');
    lifecycle.draining = true;
    const forced = setTimeout(() => {
      logger.warn('shutdown grace period over: closing remaining connections');
      server.closeAllConnections();
    }, SHUTDOWN_GRACE_MS);
    forced.unref();
    await closeServer(server);
    db.close();
    logger.info('stopped');
    process.exitCode = 0;
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

/** Stops accepting connections, lets in-flight requests finish, and closes idle keep-alive sockets. */
async function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  await closed;
}

await main();
