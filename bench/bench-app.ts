// The app as main.ts and the tests wire it (createServices → LiveConnections → mcpEndpoint →
// createApp), listening on loopback, for the measurement children that must look inside the
// process: memory-server.ts (sessions, token costs) and live-server.ts (open streams). Each
// names only the limits its measurement needs raised; everything else is the same.
import { randomBytes } from 'node:crypto';
import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { EventStreamLimits } from '../src/api/event-streams.ts';
import { createApp } from '../src/app.ts';
import { createServices } from '../src/compose.ts';
import { LiveConnections } from '../src/http/live-connections.ts';
import { createLogger } from '../src/logger.ts';
import { type McpEndpoint, mcpEndpoint } from '../src/mcp/mcp-router.ts';
import { openDatabase } from '../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../src/repositories/sqlite/sqlite-store.ts';

export const PUBLIC_URL = 'http://localhost:3000';

export interface BenchAppLimits {
  sessionIdleTtlMs: number;
  maxSessions: number;
  maxSessionsPerUser: number;
  maxListenStreams: number;
  maxListenStreamsPerUser: number;
  events?: Partial<EventStreamLimits>;
}

export interface BenchApp {
  services: ReturnType<typeof createServices>;
  mcp: McpEndpoint;
  server: Server;
  /** A fresh secret per run: nothing signed here verifies anywhere else. */
  secret: string;
  /** heapUsed after repeated full collections, with no idle keep-alive socket holding a request. */
  heapUsed(): Promise<number>;
  /** Ends streams and sessions, then the server and the database (on SIGTERM from the harness). */
  close(): Promise<void>;
}

export async function startBenchApp(
  databasePath: string,
  collect: () => void,
  limits: BenchAppLimits,
): Promise<BenchApp> {
  const secret = randomBytes(32).toString('base64url');
  const db = openDatabase(databasePath);
  const logger = createLogger('silent');
  const services = createServices(sqliteStore(db), {
    publicUrl: PUBLIC_URL,
    tokenTtlSeconds: 3600,
    maxTodosPerUser: 1_000_000,
    jwtSecret: secret,
  });
  const connections = new LiveConnections({
    auth: services.auth,
    webSessions: services.webSessions,
    logger,
    recheckEveryMs: 30_000,
  });
  const mcp = mcpEndpoint({
    auth: services.auth,
    todos: services.todos,
    activity: services.activity,
    changes: services.changes,
    logger,
    publicUrl: PUBLIC_URL,
    allowedOrigins: [],
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    legacySessions: true,
    sessionIdleTtlMs: limits.sessionIdleTtlMs,
    maxSessions: limits.maxSessions,
    maxSessionsPerUser: limits.maxSessionsPerUser,
    callsPerMinute: 1_000_000_000,
    budgets: services.budgets,
    maxListenStreams: limits.maxListenStreams,
    maxListenStreamsPerUser: limits.maxListenStreamsPerUser,
    connections,
    version: '0.0.0-bench',
  });
  const app = createApp({
    ...services,
    logger,
    publicUrl: PUBLIC_URL,
    corsOrigins: [],
    connections,
    events: limits.events,
    mcp,
  });
  const server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));

  const settle = () => new Promise((resolve) => setImmediate(resolve));
  return {
    services,
    mcp,
    server,
    secret,
    async heapUsed() {
      server.closeIdleConnections();
      await sleep(250);
      // What a finalizer or a closing socket releases needs more than one collection.
      for (let i = 0; i < 6; i++) {
        collect();
        await settle();
      }
      return process.memoryUsage().heapUsed;
    },
    async close() {
      connections.closeStreams();
      await mcp.close();
      connections.close();
      server.closeAllConnections();
      server.close();
      db.close();
    },
  };
}
