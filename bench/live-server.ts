// The live-update measurement child: the app wired as main.ts and the tests wire it
// (createServices → mcpEndpoint → createApp), on loopback, with users each owning one todo,
// and IPC commands for what only the process can see: its heap after full collections and
// how many streams it holds open.
//   node --expose-gc bench/live-server.ts <database path> <users> <streams per user>
import type { AddressInfo } from 'node:net';
import { startBenchApp } from './bench-app.ts';
import { answerCommands } from './process.ts';
import { PASSWORD } from './seed.ts';

const [databasePath, usersArgument, perUserArgument] = process.argv.slice(2);
const collect = globalThis.gc;
if (!databasePath || !usersArgument || !perUserArgument || !collect)
  throw new Error('usage: node --expose-gc bench/live-server.ts <database path> <users> <streams per user>');
const STREAMS_PER_USER = Number(perUserArgument);

const { services, server, heapUsed, close } = await startBenchApp(databasePath, collect, {
  sessionIdleTtlMs: 15 * 60_000,
  maxSessions: 1000,
  maxSessionsPerUser: 20,
  maxListenStreams: 100_000,
  maxListenStreamsPerUser: STREAMS_PER_USER,
  events: { maxStreams: 100_000, maxStreamsPerUser: STREAMS_PER_USER },
});

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

answerCommands({
  heap: async () => ({ heapUsed: await heapUsed() }),
  /** Open connections on the server's side (each stream holds one). */
  sockets: async () => ({
    open: await new Promise<number>((resolve, reject) =>
      server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
    ),
  }),
});

process.send?.({ port: (server.address() as AddressInfo).port, users });
process.on('SIGTERM', () => void close());
