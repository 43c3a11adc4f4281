// 2026-07-28 `subscriptions/listen` streams, served by the SDK's listen router, which does no
// per-user filtering: events on its bus carry no user, and it accepts any URI in a filter. So
// each user with open streams gets a handler and bus of their own (createMcpHandler with
// legacy 'reject'), fed only with that user's changes; a filter naming a todo the caller does
// not own is refused exactly like one naming a missing todo, before the SDK sees it. The
// router also caps streams server-wide only (one user could hold every slot) and answers that
// cap with -32603, an internal error: here each user has a small cap of their own, and the
// server-wide cap is met first with an error that says what happened. Every stream is a live
// connection: ended when its token is revoked or its user deleted, and at the start of a shutdown.
import {
  type FetchLikeMcpHandler,
  type ToNodeHandlerOptions,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import { type AuthInfo, createMcpHandler, type McpServer } from '@modelcontextprotocol/server';
import type { Request as ExpressRequest, Response } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { ChangeEvent, ChangesByUser } from '../services/change-feed.ts';
import type { Caller } from './bearer-auth.ts';
import { claimsModernEra, listenFilter, rpcRequest } from './rpc-body.ts';
import { LIMIT_REACHED, sendRpcError } from './rpc-error.ts';
import { MAX_SUBSCRIBED_URIS, staleUris } from './subscribable.ts';

export interface ListenLimits {
  /** Open streams one user may hold: a few per agent host is plenty. */
  maxPerUser: number;
  /** Open streams in this process, for everyone (the SDK's own cap is set to the same). */
  maxTotal: number;
}

export interface ListenStreamOptions {
  /** Builds the server a listen is answered for (its capabilities shape the acknowledged filter). */
  build: (authInfo: AuthInfo | undefined) => McpServer;
  changes: ChangesByUser;
  /** Whether the user may watch `uri` (subscribable.ts canWatch). */
  canWatch: (userId: string, uri: string) => Promise<boolean>;
  connections: LiveConnections;
  limits: ListenLimits;
  nodeOptions: ToNodeHandlerOptions;
  onerror: (error: Error) => void;
}

/** True for a 2026-07-28 `subscriptions/listen` request (one that carries the era's envelope). */
export const isListenRequest = (body: unknown): boolean =>
  rpcRequest(body)?.method === 'subscriptions/listen' && claimsModernEra(body);

/** One user's listen streams in this process, on their own handler and bus. */
interface UserListens {
  handler: FetchLikeMcpHandler & { close(): Promise<void> };
  open: number;
  unsubscribe: () => void;
}

export class ListenStreams {
  readonly #options: ListenStreamOptions;
  readonly #users = new Map<string, UserListens>();
  #open = 0;

  constructor(options: ListenStreamOptions) {
    this.#options = options;
  }

  /** Serves one listen request of an authenticated caller, or refuses it. */
  async serve(req: ExpressRequest, res: Response, caller: Caller): Promise<void> {
    const { connections, limits } = this.#options;
    const { userId } = caller;
    const id = rpcRequest(req.body)?.id ?? null;
    const refusal = await this.#unwatchable(userId, req.body);
    if (refusal) {
      sendRpcError(res, 200, -32602, refusal.message, id, refusal.data);
      return;
    }
    // Checked after the filter's look-ups: a shutdown that began meanwhile has ended every stream.
    if (!connections.accepting) {
      sendRpcError(res, 503, -32000, 'The server is shutting down; listen again in a moment.', id);
      return;
    }
    const own = this.#users.get(userId)?.open ?? 0;
    if (own >= limits.maxPerUser) {
      refuse(
        res,
        id,
        `Too many open subscriptions: each user may hold ${limits.maxPerUser} at once. Close one before listening again.`,
        limits.maxPerUser,
      );
      return;
    }
    if (this.#open >= limits.maxTotal) {
      refuse(
        res,
        id,
        `The server holds as many subscriptions as it can (${limits.maxTotal}); try again later.`,
        limits.maxTotal,
      );
      return;
    }

    const user = this.#userListens(userId);
    // The SDK ends a stream when its request's signal aborts: this one also aborts on close().
    const ending = new AbortController();
    const serveStream = toNodeHandler(
      {
        fetch: (request, options) =>
          user.handler.fetch(
            new Request(request, { signal: AbortSignal.any([request.signal, ending.signal]) }),
            options,
          ),
      },
      this.#options.nodeOptions,
    );
    user.open++;
    this.#open++;
    // A stream its client closes is not an aborted request (the request log reads this).
    res.locals.stream = true;
    const remove = connections.add({
      userId,
      token: caller.token,
      audience: 'mcp',
      kind: 'stream',
      close: () => ending.abort(),
    });
    res.once('close', () => {
      this.#open--;
      remove();
      if (--user.open > 0) return;
      this.#users.delete(userId);
      user.unsubscribe();
      void user.handler.close();
    });
    await serveStream(req, res, req.body);
  }

  /** Ends every stream (the SDK's graceful close) and drops every user's handler. */
  async close(): Promise<void> {
    const users = [...this.#users.values()];
    this.#users.clear();
    for (const user of users) user.unsubscribe();
    await Promise.all(users.map((user) => user.handler.close()));
  }

  #userListens(userId: string): UserListens {
    const existing = this.#users.get(userId);
    if (existing) return existing;
    const { build, limits, onerror } = this.#options;
    const handler = createMcpHandler(({ authInfo }) => build(authInfo), {
      legacy: 'reject',
      maxSubscriptions: limits.maxPerUser,
      onerror,
    });
    const user: UserListens = {
      handler,
      open: 0,
      // Only this user's changes ever reach this bus: what a filter names cannot widen that.
      unsubscribe: this.#options.changes.subscribe(userId, (event: ChangeEvent) => {
        for (const uri of staleUris(event)) handler.notify.resourceUpdated(uri);
        // The resource list names the most recently changed todos: any change reorders it.
        handler.notify.resourcesChanged();
      }),
    };
    this.#users.set(userId, user);
    return user;
  }

  /** Why the filter may not be served: it names a resource the user may not watch, or too many. */
  async #unwatchable(
    userId: string,
    body: unknown,
  ): Promise<{ message: string; data?: Record<string, unknown> } | undefined> {
    const uris = listenFilter(body)?.resourceSubscriptions;
    if (!Array.isArray(uris)) return undefined; // absent, or malformed: the SDK answers that
    if (uris.length > MAX_SUBSCRIBED_URIS)
      return { message: `A listen may watch at most ${MAX_SUBSCRIBED_URIS} resources.` };
    for (const uri of uris) {
      if (typeof uri !== 'string') return undefined;
      if (!(await this.#options.canWatch(userId, uri)))
        return { message: `Resource not found: ${uri}`, data: { uri } };
    }
    return undefined;
  }
}

/** A refusal the SDK client reports as the listen's error (HTTP 200, as the SDK's own cap answers). */
function refuse(res: Response, id: string | number | null, message: string, limit: number): void {
  sendRpcError(res, 200, LIMIT_REACHED, message, id, { limit });
}
