// A reader of server-sent events over real HTTP (GET /api/events, MCP listen streams), as
// EventSource reads them: frames split on blank lines, `event:`, `id:` and `data:` fields,
// comment lines counted. For tests and the bench.

export interface ServerEvent {
  event: string;
  id: string | undefined;
  data: string;
}

export interface EventReader {
  status: number;
  headers: Headers;
  /** Every event received so far, in order. */
  events: ServerEvent[];
  /** When each event arrived (performance.now()), by its index in `events`. */
  arrivals: number[];
  /** Comment lines (heartbeats) received so far. */
  comments: () => number;
  /** Resolves when `done` holds for the events so far, or rejects after `timeoutMs`. */
  until: (done: (events: ServerEvent[]) => boolean, timeoutMs?: number) => Promise<ServerEvent[]>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close: () => void;
}

export async function openEvents(
  base: string,
  options: { token?: string; lastEventId?: string; headers?: Record<string, string> } = {},
): Promise<EventReader> {
  const abort = new AbortController();
  const response = await fetch(`${base}/api/events`, {
    headers: {
      Accept: 'text/event-stream',
      ...(options.token ? { Authorization: `Bearer ${options.token}` } : {}),
      ...(options.lastEventId === undefined ? {} : { 'Last-Event-ID': options.lastEventId }),
      ...options.headers,
    },
    signal: abort.signal,
  });
  return readEvents(response, abort);
}

/** Reads any event-stream response (GET /api/events, an MCP listen or GET stream) as it arrives. */
export function readEvents(response: Response, abort: AbortController): EventReader {
  const events: ServerEvent[] = [];
  const arrivals: number[] = [];
  let comments = 0;
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  let finished = false;
  const ended = (async () => {
    if (!response.body || response.status !== 200) return;
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of response.body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end !== -1) {
          const parsed = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (parsed === 'comment') comments++;
          else if (parsed) {
            events.push(parsed);
            arrivals.push(performance.now());
          }
          end = buffer.indexOf('\n\n');
        }
        notify();
      }
    } catch {
      // aborted by close()
    }
  })().finally(() => {
    finished = true;
    notify();
  });

  return {
    status: response.status,
    headers: response.headers,
    events,
    arrivals,
    comments: () => comments,
    until: (done, timeoutMs = 5000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (done(events)) {
            cleanup();
            resolve(events);
          } else if (finished) {
            cleanup();
            reject(new Error(`the stream ended first; got ${JSON.stringify(events)}`));
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`timed out; got ${JSON.stringify(events)}`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      }),
    ended,
    close: () => abort.abort(),
  };
}

function parseFrame(frame: string): ServerEvent | 'comment' | undefined {
  const lines = frame.split('\n');
  if (lines.every((line) => line.startsWith(':'))) return 'comment';
  let event = 'message';
  let id: string | undefined;
  const data: string[] = [];
  for (const line of lines) {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'event') event = value;
    else if (field === 'id') id = value;
    else if (field === 'data') data.push(value);
  }
  // A frame with only `retry:` sets the reconnection delay and dispatches nothing.
  if (data.length === 0) return undefined;
  return { event, id, data: data.join('\n') };
}

/** The change events' ids, as numbers. */
export const changeIds = (events: ServerEvent[]): number[] =>
  events.filter((event) => event.event === 'change').map((event) => Number(event.id));
