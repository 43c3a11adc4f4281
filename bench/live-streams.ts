// Event streams opened as clients open them, from the bench harness over loopback: GET
// /api/events until its ready event, and a raw 2026-07-28 subscriptions/listen until its
// acknowledgement; many at once, and closed until the server has let go of them.
import { setTimeout as sleep } from 'node:timers/promises';
import { type EventReader, openEvents, readEvents } from '../test/sse-client.ts';
import type { startChild } from './process.ts';
import { MODERN_VERSION } from './requests.ts';

/** A user of the live child: their token and the one todo they own. */
export interface LiveUser {
  token: string;
  todoId: string;
}

const OPENING_CONCURRENCY = 20;

export async function openEventStream(base: string, user: LiveUser): Promise<EventReader> {
  const reader = await openEvents(base, { token: user.token });
  if (reader.status !== 200) throw new Error(`GET /api/events answered ${reader.status}`);
  await reader.until((events) => events.some((event) => event.event === 'ready'), 30_000);
  return reader;
}

/** A raw 2026-07-28 subscriptions/listen on the user's todo and resource list, once acknowledged. */
export async function openListen(base: string, user: LiveUser): Promise<EventReader> {
  const abort = new AbortController();
  const response = await fetch(`${base}/mcp`, {
    method: 'POST',
    headers: {
      Authorization: `Bearer ${user.token}`,
      'Content-Type': 'application/json',
      Accept: 'application/json, text/event-stream',
      'MCP-Protocol-Version': MODERN_VERSION,
      'Mcp-Method': 'subscriptions/listen',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: crypto.randomUUID(),
      method: 'subscriptions/listen',
      params: {
        notifications: { resourcesListChanged: true, resourceSubscriptions: [`todo://${user.todoId}`] },
        _meta: {
          'io.modelcontextprotocol/protocolVersion': MODERN_VERSION,
          'io.modelcontextprotocol/clientInfo': { name: 'todos-bench', version: '1.0.0' },
          'io.modelcontextprotocol/clientCapabilities': {},
        },
      },
    }),
    signal: abort.signal,
  });
  if (response.status !== 200)
    throw new Error(`listen answered ${response.status}: ${await response.text()}`);
  const reader = readEvents(response, abort);
  await reader.until(
    (events) => events.some((event) => event.data.includes('subscriptions/acknowledged')),
    30_000,
  );
  return reader;
}

export async function openMany(
  count: number,
  open: (index: number) => Promise<EventReader>,
): Promise<EventReader[]> {
  const opened: EventReader[] = [];
  let next = 0;
  const worker = async () => {
    while (next < count) opened.push(await open(next++));
  };
  await Promise.all(Array.from({ length: Math.min(OPENING_CONCURRENCY, count) }, worker));
  return opened;
}

/** Closes the streams and waits until the server has let go of their connections. */
export async function closeAll(readers: EventReader[], child: ReturnType<typeof startChild>): Promise<void> {
  for (const reader of readers) reader.close();
  for (let attempt = 0; attempt < 200; attempt++) {
    if ((await child.ask<{ open: number }>('sockets')).open <= 2) return;
    await sleep(50);
  }
  throw new Error('the server kept stream connections open after the clients closed them');
}
