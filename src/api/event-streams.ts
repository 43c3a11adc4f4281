// GET /api/events: server-sent events of the caller's own changes. Every change event's `id:`
// is the activity entry's id in the user's log (1, 2, 3... in commit order), so a client that
// reconnects with Last-Event-ID gets exactly what it missed from the log, then live events,
// without a gap or a duplicate; when the log no longer holds what it missed, it is told to
// reload. Streams are capped per user and in all, kept alive by comment lines, and registered
// as live connections: a revoked token or a deleted user ends them, and so does a shutdown.
import type { Request, Response } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import { sendProblem } from '../http/problem.ts';
import type { ActivityEntry } from '../repositories/types.ts';
import type { ActivityService } from '../services/activity-service.ts';
import type { Principal } from '../services/auth-service.ts';
import type { ChangesByUser } from '../services/change-feed.ts';
import { RateLimitedError } from '../services/errors.ts';

export interface EventStreamLimits {
  maxStreams: number;
  maxStreamsPerUser: number;
  /** How often an idle stream gets a comment line, so proxies and clients know it is alive. */
  heartbeatMs: number;
}

export interface EventStreamDeps {
  activity: ActivityService;
  changes: ChangesByUser;
  connections?: LiveConnections | undefined;
  limits: EventStreamLimits;
  /** A stream that failed (the log could not be read): it is ended and the client resumes. */
  onError: (error: unknown) => void;
}

// Entries read from the log per query while catching up.
const PAGE = 200;
// Bytes a stream may have waiting for a client that does not read: past this it is ended, and
// the client's reconnection catches up from the log instead of the server holding the backlog.
const MAX_BACKLOG_BYTES = 256 * 1024;
// What EventSource waits before reconnecting: a restart is usually over by then.
const RETRY_MS = 1000;
const LAST_EVENT_ID = /^\d{1,15}$/;

interface Stream {
  res: Response;
  userId: string;
}

export class EventStreams {
  readonly #deps: EventStreamDeps;
  readonly #open = new Set<Stream>();
  readonly #perUser = new Map<string, number>();
  #heartbeat: NodeJS.Timeout | undefined;

  constructor(deps: EventStreamDeps) {
    this.#deps = deps;
  }

  get size(): number {
    return this.#open.size;
  }

  /** Serves one stream to an authenticated caller until the client or the server ends it. */
  async serve(
    req: Request,
    res: Response,
    principal: Principal,
    credential: { kind: 'bearer' | 'session'; token: string },
  ): Promise<void> {
    const { limits, connections } = this.#deps;
    const { userId } = principal;
    if (connections && !connections.accepting) {
      unavailable(res, 'The server is shutting down: reconnect in a moment.');
      return;
    }
    const own = this.#perUser.get(userId) ?? 0;
    if (own >= limits.maxStreamsPerUser) {
      throw new RateLimitedError(
        `You have ${own} event streams open, the most one account may hold at once. Close one (another tab or device) before opening another.`,
        30,
      );
    }
    if (this.#open.size >= limits.maxStreams) {
      unavailable(res, 'The server holds as many event streams as it can: reconnect in a moment.');
      return;
    }

    res.status(200);
    // A stream its client closes is not an aborted request (the request log reads this).
    res.locals.stream = true;
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('X-Accel-Buffering', 'no'); // proxies must pass events on as they come
    res.flushHeaders();
    res.write(`retry: ${RETRY_MS}\n\n`);

    const stream: Stream = { res, userId };
    this.#add(stream);
    const forget = connections?.add({
      userId,
      token: credential.token,
      // A stream the web app opened with its session cookie ends with that session.
      audience: credential.kind === 'session' ? 'web-session' : 'api',
      kind: 'stream',
      close: () => res.end(),
    });
    const delivery = new Delivery(res, userId, this.#deps.activity, this.#deps.onError);
    // Subscribed before the log is read: a change committed meanwhile waits in the delivery's
    // queue and is sent after the catch-up, or skipped if the catch-up already sent it.
    const unsubscribe = this.#deps.changes.subscribe(userId, (event) => delivery.push(event.entry));
    res.once('close', () => {
      unsubscribe();
      forget?.();
      this.#remove(stream);
    });
    await delivery.start(req.get('last-event-id'));
  }

  #add(stream: Stream): void {
    this.#open.add(stream);
    this.#perUser.set(stream.userId, (this.#perUser.get(stream.userId) ?? 0) + 1);
    this.#heartbeat ??= setInterval(() => this.#beat(), this.#deps.limits.heartbeatMs).unref();
  }

  #remove(stream: Stream): void {
    if (!this.#open.delete(stream)) return;
    const own = (this.#perUser.get(stream.userId) ?? 1) - 1;
    if (own > 0) this.#perUser.set(stream.userId, own);
    else this.#perUser.delete(stream.userId);
    if (this.#open.size === 0) {
      clearInterval(this.#heartbeat);
      this.#heartbeat = undefined;
    }
  }

  #beat(): void {
    for (const { res } of this.#open) write(res, ': keepalive\n\n');
  }
}

/**
 * What one stream has sent, and the queue that keeps its events in order. Events of one user
 * can reach the feed out of order (two writes committing close together), or a reconnection
 * can ask for what it missed: either way, whatever is missing is read from the log, so ids
 * go out strictly one by one.
 */
class Delivery {
  readonly #res: Response;
  readonly #userId: string;
  readonly #activity: ActivityService;
  readonly #onError: (error: unknown) => void;
  #sent = 0;
  #queue: Promise<void> = Promise.resolve();

  constructor(res: Response, userId: string, activity: ActivityService, onError: (error: unknown) => void) {
    this.#res = res;
    this.#userId = userId;
    this.#activity = activity;
    this.#onError = onError;
  }

  /** Catches up from `lastEventId` (when the client sent one), then says it is live. */
  start(lastEventId: string | undefined): Promise<void> {
    return this.#enqueue(async () => {
      const { latest, oldest } = await this.#activity.bounds(this.#userId);
      if (lastEventId === undefined) {
        this.#sent = latest;
      } else {
        const last = LAST_EVENT_ID.test(lastEventId) ? Number(lastEventId) : Number.NaN;
        // Another database's id, a mangled one, or entries the log no longer holds.
        const lost = !(last <= latest) || (last < latest && (oldest === null || oldest > last + 1));
        if (lost) {
          await this.#reload('The changes since your last event are no longer kept: reload your data.');
          return;
        }
        this.#sent = last;
        await this.#catchUp();
      }
      this.#send('ready', this.#sent, { latest: this.#sent });
    });
  }

  push(entry: ActivityEntry): void {
    void this.#enqueue(async () => {
      if (entry.id <= this.#sent) return; // already sent, by a catch-up
      if (entry.id === this.#sent + 1) {
        this.#sendChange(entry);
        return;
      }
      await this.#catchUp(); // an earlier change is still on its way: take it from the log
      if (entry.id > this.#sent) await this.#reload('Some changes are no longer kept: reload your data.');
    });
  }

  /** Runs tasks one at a time; a failed one (the database, say) ends the stream, and the client resumes. */
  #enqueue(task: () => Promise<void>): Promise<void> {
    this.#queue = this.#queue
      .then(async () => {
        if (this.#res.writableEnded || this.#res.destroyed) return;
        await task();
      })
      .catch((error: unknown) => {
        this.#onError(error);
        this.#res.end();
      });
    return this.#queue;
  }

  /** Sends every entry after the last one sent, from the log; reloads if some are no longer kept. */
  async #catchUp(): Promise<void> {
    for (;;) {
      const entries = await this.#activity.after(this.#userId, this.#sent, PAGE);
      const first = entries[0];
      if (!first) return;
      if (first.id > this.#sent + 1) {
        await this.#reload('Changes were made faster than they could be sent: reload your data.');
        return;
      }
      for (const entry of entries) this.#sendChange(entry);
      if (entries.length < PAGE) return;
    }
  }

  async #reload(reason: string): Promise<void> {
    const { latest } = await this.#activity.bounds(this.#userId);
    this.#sent = latest;
    this.#send('reload', latest, { latest, reason });
  }

  #sendChange(entry: ActivityEntry): void {
    this.#sent = entry.id;
    this.#send('change', entry.id, entry);
  }

  #send(event: string, id: number, data: unknown): void {
    write(this.#res, `event: ${event}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`);
  }
}

/** Not the caller's doing (a shutdown, or the server full): 503, and when to try again. */
function unavailable(res: Response, detail: string): void {
  res.setHeader('Retry-After', '5');
  sendProblem(res, {
    type: 'urn:todos:problem:unavailable',
    title: 'The service cannot take this request now.',
    status: 503,
    detail,
  });
}

function write(res: Response, frame: string): void {
  if (res.writableEnded || res.destroyed) return;
  if (res.writableLength > MAX_BACKLOG_BYTES) {
    res.end();
    return;
  }
  res.write(frame);
}
