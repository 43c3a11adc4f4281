// Sessions for 2025-era clients, so they get the full feature set (elicitation, the GET
// stream, DELETE). Sessions are memory, and clients often vanish without DELETE, so they are
// bounded: an idle TTL that closes the transport, a cap that evicts the least recently used
// idle session, each session bound to the user who opened it, all closed on shutdown.
// A session is never authentication: every request on it was authenticated already. Each
// session and its GET stream are live connections, so that revoking the token they were
// last used with (or deleting the user) ends them, and a shutdown ends the stream first.
// Each session hears its own user's changes, for the resource notifications on its GET stream.
import { randomUUID } from 'node:crypto';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { isInitializeRequest, isJsonContentType, type McpServer } from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { LiveConnection, LiveConnections } from '../http/live-connections.ts';
import type { ChangeEvent, ChangesByUser } from '../services/change-feed.ts';
import type { Caller } from './bearer-auth.ts';
import { sendRpcError } from './rpc-error.ts';

interface Session {
  transport: NodeStreamableHTTPServerTransport;
  userId: string;
  connection: LiveConnection;
  lastSeen: number;
  /** Requests being answered now, not counting the long-lived GET stream: a busy session is never evicted. */
  active: number;
}

// What a 2025-era request without a session is missing, and the two ways to go on: plain curl
// users meet this first, so it names the handshake and the stateless alternative.
const NO_SESSION =
  'Bad Request: Mcp-Session-Id header required. Send initialize first: its answer carries the ' +
  'Mcp-Session-Id to send with every later request. Or speak the 2026-07-28 protocol ' +
  '(MCP-Protocol-Version: 2026-07-28), which needs no session.';

export interface LegacySessionOptions {
  idleTtlMs: number;
  maxSessions: number;
  /** So that one user opening sessions in a loop cannot push everyone else's out. */
  maxSessionsPerUser: number;
  connections: LiveConnections;
  /** The change feed by user: each session is told its own user's changes. */
  changes: ChangesByUser;
  logger: Logger;
  now?: () => number;
}

/** A session's server, and what it does with each change of its user (send notifications). */
export interface SessionServer {
  server: McpServer;
  onChange: (event: ChangeEvent) => void;
}

export class LegacySessions {
  readonly #sessions = new Map<string, Session>();
  readonly #options: LegacySessionOptions;
  readonly #now: () => number;
  readonly #sweeper: NodeJS.Timeout;
  #closing = false;

  constructor(options: LegacySessionOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#sweeper = setInterval(() => void this.evictIdle(), Math.min(60_000, options.idleTtlMs)).unref();
  }

  get size(): number {
    return this.#sessions.size;
  }

  /** Serves one 2025-era request: on its session, or opening one for an initialize request. */
  async handle(req: Request, res: Response, caller: Caller, build: () => SessionServer): Promise<void> {
    if (req.method === 'POST' && !isJsonContentType(req.get('content-type') ?? null)) {
      sendRpcError(res, 415, -32000, 'Unsupported Media Type: Content-Type must be application/json');
      return;
    }
    const sessionId = req.get('mcp-session-id');
    if (sessionId !== undefined) {
      const session = this.#sessions.get(sessionId);
      // Another user's session answers exactly like an unknown one: its existence is not revealed.
      if (!session || session.userId !== caller.userId) {
        sendRpcError(res, 404, -32001, 'Session not found');
        return;
      }
      await this.#serve(session, req, res, caller.token);
      return;
    }
    if (req.method === 'POST' && isInitializeRequest(req.body)) {
      await this.#open(req, res, caller, build);
      return;
    }
    sendRpcError(res, 400, -32000, NO_SESSION);
  }

  async #open(req: Request, res: Response, caller: Caller, build: () => SessionServer): Promise<void> {
    const { userId } = caller;
    if (this.#closing) {
      sendRpcError(res, 503, -32000, 'The server is shutting down');
      return;
    }
    if (!(await this.#makeRoom(userId))) {
      sendRpcError(
        res,
        503,
        -32000,
        'Too many open sessions; try again later or use the 2026-07-28 protocol',
      );
      return;
    }
    const { server, onChange } = build();
    let forget: (() => void) | undefined;
    let unsubscribe: (() => void) | undefined;
    const transport: NodeStreamableHTTPServerTransport = new NodeStreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        const connection: LiveConnection = {
          userId,
          token: caller.token,
          audience: 'mcp',
          kind: 'session',
          close: () => void transport.close(),
        };
        forget = this.#options.connections.add(connection);
        unsubscribe = this.#options.changes.subscribe(userId, onChange);
        this.#sessions.set(id, { transport, userId, connection, lastSeen: this.#now(), active: 0 });
      },
    });
    // Fires on DELETE, eviction, revocation and shutdown alike: nothing holds a closed transport.
    transport.onclose = () => {
      if (transport.sessionId) this.#sessions.delete(transport.sessionId);
      forget?.();
      unsubscribe?.();
    };
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  }

  async #serve(session: Session, req: Request, res: Response, token: string): Promise<void> {
    session.lastSeen = this.#now();
    session.connection.token = token;
    const stream = req.method === 'GET';
    if (stream && !this.#options.connections.accepting) {
      sendRpcError(res, 503, -32000, 'The server is shutting down');
      return;
    }
    if (stream) res.locals.stream = true;
    else session.active++;
    // The GET stream is a connection of its own: shutdown ends it before the session.
    const forget = stream
      ? this.#options.connections.add({
          userId: session.userId,
          token,
          audience: 'mcp',
          kind: 'stream',
          close: () => session.transport.closeStandaloneSSEStream(),
        })
      : undefined;
    res.once('close', () => {
      if (!stream) session.active--;
      forget?.();
      session.lastSeen = this.#now();
    });
    await session.transport.handleRequest(req, res, req.body);
  }

  /** Closes every session idle for longer than the TTL. */
  async evictIdle(): Promise<void> {
    const cutoff = this.#now() - this.#options.idleTtlMs;
    const idle = [...this.#sessions.values()].filter(
      (session) => session.active === 0 && session.lastSeen <= cutoff,
    );
    await Promise.all(idle.map((session) => session.transport.close()));
    if (idle.length)
      this.#options.logger.info({ evicted: idle.length, open: this.size }, 'closed idle MCP sessions');
  }

  /**
   * Frees a place for a new session of this user: at the user's own cap their least recently
   * used idle session goes; at the global cap, anyone's. False when every candidate is busy.
   */
  async #makeRoom(userId: string): Promise<boolean> {
    const own = [...this.#sessions.values()].filter((session) => session.userId === userId);
    if (own.length >= this.#options.maxSessionsPerUser) return this.#closeLeastRecentlyUsed(own);
    if (this.#sessions.size >= this.#options.maxSessions)
      return this.#closeLeastRecentlyUsed(this.#sessions.values());
    return true;
  }

  async #closeLeastRecentlyUsed(candidates: Iterable<Session>): Promise<boolean> {
    let oldest: Session | undefined;
    for (const session of candidates) {
      if (session.active === 0 && (!oldest || session.lastSeen < oldest.lastSeen)) oldest = session;
    }
    if (!oldest) return false;
    await oldest.transport.close();
    return true;
  }

  /** Refuses new sessions and closes every open one (ending their GET streams). */
  async close(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#sweeper);
    await Promise.all([...this.#sessions.values()].map((session) => session.transport.close()));
  }
}
