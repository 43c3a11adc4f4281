// The in-process measurement child: the app wired exactly as test/helpers.ts and main.ts
// wire it (createServices → mcpEndpoint → createApp), listening on loopback, plus commands
// the harness sends over IPC to read what only the process itself can see: its heap after
// full collections, its open MCP sessions, and the cost of verifying a token.
//   node --expose-gc bench/memory-server.ts <database path>
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
import { TokenCodec } from '../src/services/token-codec.ts';
import { answerCommands } from './process.ts';
import { PASSWORD } from './seed.ts';

const databasePath = process.argv[2];
const collect = globalThis.gc;
if (!databasePath || !collect)
  throw new Error('usage: node --expose-gc bench/memory-server.ts <database path>');

// Idle sessions are evicted by the real LegacySessions.evictIdle; to get there without
// waiting out the TTL, this process's clock can be moved forward. LegacySessions reads
// Date.now through the reference it captures when built, so the shift must exist before.
const realNow = Date.now;
let clockShiftMs = 0;
Date.now = () => realNow() + clockShiftMs;

const IDLE_TTL_MS = 15 * 60_000;
// A fresh secret per run: nothing signed here should verify anywhere else.
const SECRET = randomBytes(32).toString('base64url');
const PUBLIC_URL = 'http://localhost:3000';

const db = openDatabase(databasePath);
const services = createServices(sqliteStore(db), {
  publicUrl: PUBLIC_URL,
  tokenTtlSeconds: 3600,
  maxTodosPerUser: 1_000_000,
  jwtSecret: SECRET,
});
const logger = createLogger('silent');
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
  sessionIdleTtlMs: IDLE_TTL_MS,
  maxSessions: 100_000,
  maxSessionsPerUser: 100_000,
  callsPerMinute: 1_000_000_000,
  budgets: services.budgets,
  maxListenStreams: 1024,
  maxListenStreamsPerUser: 10,
  connections,
  version: '0.0.0-bench',
});
const sessions = mcp.sessions;
if (!sessions) throw new Error('legacy sessions are off');
const app = createApp({ ...services, logger, publicUrl: PUBLIC_URL, corsOrigins: [], connections, mcp });
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const username = 'bench_memory';
const user = await services.auth.register({ username, password: PASSWORD }, 'bench');
const { accessToken } = await services.auth.login({ username, password: PASSWORD }, 'bench');
const todo = await services.todos.create(
  { userId: user.id, via: 'api' },
  { title: 'Read me again and again' },
);
const codec = new TokenCodec({ secret: SECRET, publicUrl: PUBLIC_URL, ttlSeconds: 3600 });
// An agent token (audience both): every verification also looks its record up (revocation).
const agentToken = (
  await services.agentTokens.create(await services.auth.authenticate(accessToken, 'api'), {
    name: 'bench agent',
    scopes: ['todos:read', 'todos:write'],
    audience: 'both',
    expiresIn: 3600,
  })
).token;

const settle = () => new Promise((resolve) => setImmediate(resolve));

/** µs per call of `run`, over `n` calls after a short warm-up. */
async function microsPerCall(n: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(1000, n); i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await run();
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

answerCommands({
  /**
   * heapUsed after repeated full collections (what a finalizer or a closing socket releases
   * needs more than one), with no idle keep-alive socket holding a request.
   */
  heap: async () => {
    server.closeIdleConnections();
    await sleep(250);
    for (let i = 0; i < 6; i++) {
      collect();
      await settle();
    }
    return { heapUsed: process.memoryUsage().heapUsed };
  },
  sessions: () => ({ open: sessions.size }),
  /** Moves the clock past the idle TTL and runs the real eviction. */
  evict: async () => {
    clockShiftMs += IDLE_TTL_MS + 1000;
    await sessions.evictIdle();
    return { open: sessions.size };
  },
  /**
   * Bearer verification as both edges run it: a person's token (the JWT, remembered once
   * verified, then the user re-loaded: what makes a deleted user's tokens stop working), an
   * agent's token (the same, plus the look-up of its record: what makes revocation immediate),
   * and a full JWT verification of a token never seen before (distinct tokens defeat the cache).
   */
  tokenCost: async ({ n }) => {
    const calls = Number(n);
    const fresh = Array.from({ length: calls + 1000 }, () => codec.sign(user.id, ['todos:read']).token);
    let next = 0;
    return {
      userTokenUs: await microsPerCall(calls, () => services.auth.authenticate(accessToken, 'api')),
      agentTokenUs: await microsPerCall(calls, () => services.auth.authenticate(agentToken, 'api')),
      fullVerifyUs: await microsPerCall(calls, () => codec.verify(fresh[next++] ?? '', 'api')),
    };
  },
});

process.send?.({ port: (server.address() as AddressInfo).port, token: accessToken, todoId: todo.id });
process.on('SIGTERM', () => {
  void mcp.close().then(() => {
    server.closeAllConnections();
    server.close();
    db.close();
  });
});
