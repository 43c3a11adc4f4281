// Live updates, measured in their own child (bench/live-server.ts, with --expose-gc): the heap
// each open GET /api/events stream and each open subscriptions/listen stream holds, step by
// step up to 1,000 of each (flat means a stream costs the same at 1,000 as at 250), and the
// time from sending an MCP write to receiving its SSE event and its listen notification,
// measured while all those streams are open.
import { join } from 'node:path';
import type { EventReader } from '../test/sse-client.ts';
import { closeAll, type LiveUser, openEventStream, openListen, openMany } from './live-streams.ts';
import { startChild } from './process.ts';
import { rpcMessage, toolCall } from './requests.ts';

export interface LiveOptions {
  directory: string;
  /** Streams of each kind at the end; opened in `steps` equal steps. */
  streams: number;
  steps: number;
  /** Sequential MCP writes whose events are timed. */
  samples: number;
  log: (line: string) => void;
}

export interface StreamMemory {
  kind: 'events' | 'listen';
  baselineBytes: number;
  /** Heap after each step, and what each stream opened in that step added. */
  steps: { streams: number; heapBytes: number; bytesPerStream: number }[];
}

export interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

export interface LiveResults {
  streams: StreamMemory[];
  /**
   * Heap after every stream of both kinds closed, and after all were opened and closed once
   * more: what stays after the first round is one-time growth if the second adds nothing.
   */
  afterCloseBytes: [first: number, second: number];
  /** From sending tools/call update_todo: its answer, its SSE event, its listen notification. */
  mcpAnswer: Latency;
  mcpWriteToEvent: Latency;
  mcpWriteToListen: Latency;
  /** How much later than the write's own answer its SSE event arrived (negative: before it). */
  eventAfterAnswer: Latency;
}

// The service's default per-user caps: the streams are spread over users as real ones would be.
const PER_USER = 10;

export async function measureLive(options: LiveOptions): Promise<LiveResults> {
  // One user more than the streams need: the timed writes are made by a user whose streams are
  // all the timing's own, with everyone else's open beside them.
  const users = Math.ceil(options.streams / PER_USER) + 1;
  const child = startChild([
    '--expose-gc',
    'bench/live-server.ts',
    join(options.directory, 'live.db'),
    String(users),
    String(PER_USER),
  ]);
  const open: EventReader[] = [];
  try {
    const ready = await child.ready<{ port: number; users: LiveUser[] }>();
    const base = `http://127.0.0.1:${ready.port}`;
    const heap = async () => (await child.ask<{ heapUsed: number }>('heap')).heapUsed;
    const openers = {
      events: (user: LiveUser) => openEventStream(base, user),
      listen: (user: LiveUser) => openListen(base, user),
    };
    const userFor = (index: number): LiveUser => {
      const user = ready.users[Math.floor(index / PER_USER) % (ready.users.length - 1)];
      if (!user) throw new Error('the live child has no users');
      return user;
    };

    // Warm-up: the first streams of each kind compile code and grow pools once.
    for (const opener of Object.values(openers)) {
      const warm = await openMany(PER_USER * 2, (i) => opener(userFor(i)));
      await closeAll(warm, child);
    }

    const streams: StreamMemory[] = [];
    for (const kind of ['events', 'listen'] as const) {
      const baselineBytes = await heap();
      const steps: StreamMemory['steps'] = [];
      const mine: EventReader[] = [];
      let previous = baselineBytes;
      for (let step = 1; step <= options.steps; step++) {
        const target = Math.round((options.streams * step) / options.steps);
        const opened = await openMany(target - mine.length, (i) => openers[kind](userFor(mine.length + i)));
        mine.push(...opened);
        const heapBytes = await heap();
        steps.push({ streams: target, heapBytes, bytesPerStream: (heapBytes - previous) / opened.length });
        previous = heapBytes;
      }
      options.log(
        `${mine.length} ${kind} streams: ${steps.map((s) => `${(s.bytesPerStream / 1024).toFixed(1)}`).join(', ')} KB per stream by step`,
      );
      streams.push({ kind, baselineBytes, steps });
      open.push(...mine);
    }

    // With every stream open, time one user's writes to their event and notification.
    const timed = ready.users.at(-1);
    if (!timed) throw new Error('the live child has no users');
    const timing = await timeWrites({ write: base, stream: base }, timed, options.samples);
    options.log(
      `MCP write → SSE event p50 ${timing.mcpWriteToEvent.p50Ms.toFixed(2)} ms, p99 ${timing.mcpWriteToEvent.p99Ms.toFixed(2)} ms; → listen notification p99 ${timing.mcpWriteToListen.p99Ms.toFixed(2)} ms`,
    );

    // Closing them all returns the heap: nothing is held per stream after it ends.
    await closeAll(open.splice(0), child);
    const first = await heap();
    for (const kind of ['events', 'listen'] as const)
      open.push(...(await openMany(options.streams, (i) => openers[kind](userFor(i)))));
    await closeAll(open.splice(0), child);
    return { streams, afterCloseBytes: [first, await heap()], ...timing };
  } finally {
    for (const reader of open) reader.close();
    await child.stop();
  }
}

export type WriteTiming = Pick<
  LiveResults,
  'mcpAnswer' | 'mcpWriteToEvent' | 'mcpWriteToListen' | 'eventAfterAnswer'
>;

/**
 * Times `samples` sequential MCP writes sent to `bases.write` until their SSE event and listen
 * notification arrive on streams open at `bases.stream`: the same process, or another one
 * (then the change crosses PostgreSQL's LISTEN/NOTIFY).
 */
export async function timeWrites(
  bases: { write: string; stream: string },
  user: LiveUser,
  samples: number,
): Promise<WriteTiming> {
  const events = await openEventStream(bases.stream, user);
  const listen = await openListen(bases.stream, user);
  const uri = `todo://${user.todoId}`;
  const answers: number[] = [];
  const toEvent: number[] = [];
  const toListen: number[] = [];
  const afterAnswer: number[] = [];
  try {
    for (let i = 0; i < samples; i++) {
      const call = toolCall({ era: 'modern', token: user.token }, 'update_todo', {
        id: user.todoId,
        priority: 1 + (i % 5),
      });
      const eventsBefore = events.events.length;
      const listenBefore = listen.events.length;
      const started = performance.now();
      const res = await fetch(`${bases.write}${call.path}`, {
        method: 'POST',
        headers: call.headers ?? {},
        body: (call.body ?? '').replace('[<id>]', String(i)),
      });
      const message = rpcMessage(await res.text());
      const answered = performance.now();
      answers.push(answered - started);
      if (res.status !== 200 || !message?.result || message.result.isError)
        throw new Error(`update_todo failed: ${res.status}`);
      const eventAt = await arrival(events, eventsBefore, (data) => data.includes(user.todoId));
      const listenAt = await arrival(listen, listenBefore, (data) => data.includes(`"uri":"${uri}"`));
      toEvent.push(eventAt - started);
      toListen.push(listenAt - started);
      afterAnswer.push(eventAt - answered);
    }
  } finally {
    events.close();
    listen.close();
  }
  return {
    mcpAnswer: latency(answers),
    mcpWriteToEvent: latency(toEvent),
    mcpWriteToListen: latency(toListen),
    eventAfterAnswer: latency(afterAnswer),
  };
}

/** When the first event after index `from` whose data matches arrived. */
async function arrival(
  reader: EventReader,
  from: number,
  matches: (data: string) => boolean,
): Promise<number> {
  const index = () => reader.events.findIndex((event, i) => i >= from && matches(event.data));
  await reader.until(() => index() !== -1, 10_000);
  return reader.arrivals[index()] ?? Number.NaN;
}

function latency(values: number[]): Latency {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { samples: values.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1) ?? Number.NaN };
}
