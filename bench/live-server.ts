// The live-update measurement child: the app wired as main.ts and the tests wire it
// (createServices → mcpEndpoint → createApp), on loopback, with users each owning one todo,
// and IPC commands for what only the process can see: its heap after full collections and
// how many streams it holds open.
//   node --expose-gc bench/live-server.ts <database path> <users> <streams per user>
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { createApp } from '../src/app.ts';
import { createServices } from '../src/compose.ts';
import { LiveConnections } from '../src/http/live-connections.ts';
import { createLogger } from '../src/logger.ts';
import { mcpEndpoint } from '../src/mcp/mcp-router.ts';
import { openDatabase } from '../src/repositories/sqlite/database.ts';
import { sqliteStore } from '../src/repositories/sqlite/sqlite-store.ts';
import { answerCommands } from './process.ts';
import { PASSWORD } from './seed.ts';

const [databasePath, usersArgument, perUserArgument] = process.argv.slice(2);
const collect = globalThis.gc;
if (!databasePath || !usersArgument || !perUserArgument || !collect)
  throw new Error('usage: node --expose-gc bench/live-server.ts <database path> <users> <streams per user>');
const STREAMS_PER_USER = Number(perUserArgument);
const PUBLIC_URL = 'http://localhost:3000';
const SECRET = randomBytes(32).toString('base64url'); // nothing signed here verifies anywhere else

const db = openDatabase(databasePath);
const logger = createLogger('silent');
const services = createServices(sqliteStore(db), {
  publicUrl: PUBLIC_URL,
  tokenTtlSeconds: 3600,
  maxTodosPerUser: 1_000_000,
  jwtSecret: SECRET,
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
  sessionIdleTtlMs: 15 * 60_000,
  maxSessions: 1000,
  maxSessionsPerUser: 20,
  callsPerMinute: 1_000_000_000,
  budgets: services.budgets,
  maxListenStreams: 100_000,
  maxListenStreamsPerUser: STREAMS_PER_USER,
  connections,
  version: '0.0.0-bench',
});
const app = createApp({
  ...services,
  logger,
  publicUrl: PUBLIC_URL,
  corsOrigins: [],
  connections,
  events: { maxStreams: 100_000, maxStreamsPerUser: STREAMS_PER_USER },
  mcp,
});
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

// Registering and signing in (two argon2 hashes each) is the slow part of starting.
const users: { token: string; todoId: string }[] = [];
for (let i = 0; i < Number(usersArgument); i++) {
  const username = `live_${i}`;
  const user = await services.auth.register({ username, password: PASSWORD }, `bench-${i}`);
  const { accessToken } = await services.auth.login({ username, password: PASSWORD }, `bench-${i}`);
  const todo = await services.todos.create(
    { userId: user.id, via: 'api' },
    { title: `Watched by ${username}` },
  );
  users.push({ token: accessToken, todoId: todo.id });
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

answerCommands({
  /** heapUsed after repeated full collections, with no idle keep-alive socket holding a request. */
  heap: async () => {
    server.closeIdleConnections();
    await sleep(250);
    for (let i = 0; i < 6; i++) {
      collect();
      await settle();
    }
    return { heapUsed: process.memoryUsage().heapUsed };
  },
  /** Open connections on the server's side (each stream holds one). */
  sockets: async () => ({
    open: await new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    ),
  }),
});

process.send?.({ port: (server.address() as AddressInfo).port, users });
process.on('SIGTERM', () => {
  connections.closeStreams();
  void mcp.close().then(() => {
    connections.close();
    server.closeAllConnections();
    server.close();
    db.close();
  });
});
