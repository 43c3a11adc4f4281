// 2026-07-28 `subscriptions/listen` streams. The SDK's listen router inside createMcpHandler
// serves them, but caps them server-wide only (one user could hold every slot and leave the
// others "Subscription limit reached") and answers that cap with -32603, an internal error.
// Here each user has a small cap of their own, the server-wide cap is met here first with
// an error that says what happened, and every stream is a live connection: ended when its
// token is revoked or its user deleted, and at the start of a shutdown.
import {
  type FetchLikeMcpHandler,
  type ToNodeHandlerOptions,
  toNodeHandler,
} from '@modelcontextprotocol/node';
import type { Request as ExpressRequest, Response } from 'express';
import type { LiveConnections } from '../http/live-connections.ts';
import type { Caller } from './bearer-auth.ts';
import { claimsModernEra, rpcRequest } from './rpc-body.ts';
import { LIMIT_REACHED, sendRpcError } from './rpc-error.ts';

export interface ListenLimits {
  /** Open streams one user may hold: a few per agent host is plenty. */
  maxPerUser: number;
  /** Open streams in this process, for everyone (the SDK's own cap is set to the same). */
  maxTotal: number;
}

/** True for a 2026-07-28 `subscriptions/listen` request (one that carries the era's envelope). */
export const isListenRequest = (body: unknown): boolean =>
  rpcRequest(body)?.method === 'subscriptions/listen' && claimsModernEra(body);

export class ListenStreams {
  readonly #handler: FetchLikeMcpHandler;
  readonly #connections: LiveConnections;
  readonly #limits: ListenLimits;
  readonly #nodeOptions: ToNodeHandlerOptions;
  readonly #perUser = new Map<string, number>();
  #open = 0;

  constructor(
    handler: FetchLikeMcpHandler,
    connections: LiveConnections,
    limits: ListenLimits,
    nodeOptions: ToNodeHandlerOptions,
  ) {
    this.#handler = handler;
    this.#connections = connections;
    this.#limits = limits;
    this.#nodeOptions = nodeOptions;
  }

  /** Serves one listen request of an authenticated caller, or refuses it at a cap. */
  async serve(req: ExpressRequest, res: Response, caller: Caller): Promise<void> {
    const { userId } = caller;
    const id = rpcRequest(req.body)?.id ?? null;
    if (!this.#connections.accepting) {
      sendRpcError(res, 503, -32000, 'The server is shutting down; listen again in a moment.', id);
      return;
    }
    const own = this.#perUser.get(userId) ?? 0;
    if (own >= this.#limits.maxPerUser) {
      refuse(
        res,
        id,
        `Too many open subscriptions: each user may hold ${this.#limits.maxPerUser} at once. Close one before listening again.`,
        this.#limits.maxPerUser,
      );
      return;
    }
    if (this.#open >= this.#limits.maxTotal) {
      refuse(
        res,
        id,
        `The server holds as many subscriptions as it can (${this.#limits.maxTotal}); try again later.`,
        this.#limits.maxTotal,
      );
      return;
    }

    // The SDK ends a stream when its request's signal aborts: this one also aborts on close().
    const ending = new AbortController();
    const serveStream = toNodeHandler(
      {
        fetch: (request, options) =>
          this.#handler.fetch(
            new Request(request, { signal: AbortSignal.any([request.signal, ending.signal]) }),
            options,
          ),
      },
      this.#nodeOptions,
    );
    this.#count(userId, +1);
    res.locals.stream = true;
    const remove = this.#connections.add({
      userId,
      token: caller.token,
      audience: 'mcp',
      kind: 'stream',
      close: () => ending.abort(),
    });
    res.once('close', () => {
      this.#count(userId, -1);
      remove();
    });
    await serveStream(req, res, req.body);
  }

  #count(userId: string, change: 1 | -1): void {
    this.#open += change;
    const own = (this.#perUser.get(userId) ?? 0) + change;
    if (own > 0) this.#perUser.set(userId, own);
    else this.#perUser.delete(userId);
  }
}

/** A refusal the SDK client reports as the listen's error (HTTP 200, as the SDK's own cap answers). */
function refuse(res: Response, id: string | number | null, message: string, limit: number): void {
  sendRpcError(res, 200, LIMIT_REACHED, message, id, { limit });
}
