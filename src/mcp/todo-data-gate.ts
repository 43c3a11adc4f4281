// The MCP methods besides tools/call that read todos: resources/list (titles), resources/read,
// prompts/get (plan_my_day lists titles), completion/complete (todo ids), and those that watch
// them (resources/subscribe, and subscriptions/listen when its filter names resources: a
// notification tells when a todo changes). Each needs todos:read and spends the caller's one
// rate budget, like a tool call. Tools declare their
// scope beside each tool and spend the budget in their guarded wrapper; for these four the
// edge holds both rules, because the SDK resolves scope challenges for resources/read and
// prompts/get but not for resources/list or completion/complete, and one table at the edge
// covers every era and serving mode alike, before any server is built for the request.
import { OAuthError, OAuthErrorCode } from '@modelcontextprotocol/server';
import type { RequestHandler } from 'express';
import type { RateBudget } from '../services/rate-limiter.ts';
import { sendChallenge, userIdOf } from './bearer-auth.ts';
import { listenFilter, type RpcRequest, rpcRequest } from './rpc-body.ts';
import { LIMIT_REACHED, sendRpcError } from './rpc-error.ts';

const TODO_DATA_METHODS = new Set([
  'resources/list',
  'resources/read',
  'resources/subscribe',
  'prompts/get',
  'completion/complete',
]);
const READ_SCOPE = 'todos:read';

/**
 * Refuses a todo-reading method to a token without todos:read with the same HTTP 403
 * insufficient_scope challenge the SDK answers for a tool (hosts can step up their grant),
 * and a caller over budget with a JSON-RPC error that says how long to wait.
 */
export function todoDataGate(options: { limiter: RateBudget; resourceMetadataUrl: string }): RequestHandler {
  const challenge = { requiredScopes: [READ_SCOPE], resourceMetadataUrl: options.resourceMetadataUrl };
  return async (req, res, next) => {
    const request = rpcRequest(req.body);
    if (request === undefined || !readsTodos(request, req.body)) {
      next();
      return;
    }
    if (!req.auth?.scopes.includes(READ_SCOPE)) {
      sendChallenge(res, new OAuthError(OAuthErrorCode.InsufficientScope, 'Insufficient scope'), challenge);
      return;
    }
    const wait = await options.limiter.take(userIdOf(req.auth));
    if (wait > 0) {
      // HTTP 200: a JSON-RPC error the client hands to its caller, as it does a tool's.
      sendRpcError(
        res,
        200,
        LIMIT_REACHED,
        `Too many requests: wait ${wait} seconds before trying again.`,
        request.id,
        { retryAfterSeconds: wait },
      );
      return;
    }
    next();
  };
}

function readsTodos(request: RpcRequest, body: unknown): boolean {
  if (TODO_DATA_METHODS.has(request.method)) return true;
  if (request.method !== 'subscriptions/listen') return false;
  const filter = listenFilter(body);
  return filter?.resourcesListChanged === true || Array.isArray(filter?.resourceSubscriptions);
}
