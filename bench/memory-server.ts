// The in-process measurement child: the app wired exactly as test/helpers.ts and main.ts
// wire it (createServices → mcpEndpoint → createApp), listening on loopback, plus commands
// the harness sends over IPC to read what only the process itself can see: its heap after
// full collections, its open MCP sessions, and the cost of verifying a token.
//   node --expose-gc bench/memory-server.ts <database path>
import type { AddressInfo } from 'node:net';
import { TokenCodec } from '../src/services/token-codec.ts';
import { PUBLIC_URL, startBenchApp } from './bench-app.ts';
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
const { services, mcp, server, secret, heapUsed, close } = await startBenchApp(databasePath, collect, {
  sessionIdleTtlMs: IDLE_TTL_MS,
  maxSessions: 100_000,
  maxSessionsPerUser: 100_000,
  maxListenStreams: 1024,
  maxListenStreamsPerUser: 10,
});
const sessions = mcp.sessions;
if (!sessions) throw new Error('legacy sessions are off');

const username = 'bench_memory';
const user = await services.auth.register({ username, password: PASSWORD }, 'bench');
const { accessToken } = await services.auth.login({ username, password: PASSWORD }, 'bench');
const todo = await services.todos.create(
  { userId: user.id, via: 'api' },
  { title: 'Read me again and again' },
);
const codec = new TokenCodec({ secret, publicUrl: PUBLIC_URL, ttlSeconds: 3600 });
// An agent token (audience both): every verification also looks its record up (revocation).
const agentToken = (
  await services.agentTokens.create(await services.auth.authenticate(accessToken, 'api'), {
    name: 'bench agent',
    scopes: ['todos:read', 'todos:write'],
    audience: 'both',
    expiresIn: 3600,
  })
).token;

/** µs per call of `run`, over `n` calls after a short warm-up. */
async function microsPerCall(n: number, run: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(1000, n); i++) await run();
  const started = process.hrtime.bigint();
  for (let i = 0; i < n; i++) await run();
  return Number(process.hrtime.bigint() - started) / 1000 / n;
}

answerCommands({
  heap: async () => ({ heapUsed: await heapUsed() }),
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
process.on('SIGTERM', () => void close());
