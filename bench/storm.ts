// The login storm: 20 concurrent sign-ins (an argon2id hash each) while 10 connections read
// a todo by id, with the service's event-loop delay sampled over the storm by the probe
// preloaded into it (bench/loop-probe.ts).
import { type LoadResult, load } from './load.ts';
import type { Child } from './process.ts';
import type { StormResult } from './report.ts';
import { PASSWORD, type Seeded } from './seed.ts';

export async function loginStorm(
  base: string,
  server: Child,
  seeded: Seeded,
  token: string,
  options: { connections: number; seconds: number },
): Promise<StormResult> {
  // Each request signs in the next account in turn, so that no account's failure throttle,
  // which counts an attempt until it succeeds, ever fills.
  let next = 0;
  const signInBody = () =>
    JSON.stringify({ username: seeded.storm[next++ % seeded.storm.length]?.username, password: PASSWORD });
  await server.ask('eld-start');
  const [logins, gets]: LoadResult[] = await Promise.all([
    load(
      base,
      {
        method: 'POST',
        path: '/api/auth/token',
        headers: { 'Content-Type': 'application/json' },
        nextBody: signInBody,
      },
      { connections: seeded.storm.length, seconds: options.seconds },
    ),
    load(
      base,
      { method: 'GET', path: `/api/todos/${seeded.todoId}`, headers: { Authorization: `Bearer ${token}` } },
      { connections: options.connections, seconds: options.seconds },
    ),
  ]);
  const eventLoopDelayMs = await server.ask<StormResult['eventLoopDelayMs']>('eld-read');
  if (!logins || !gets) throw new Error('the storm did not run');
  return { logins, gets, eventLoopDelayMs };
}
