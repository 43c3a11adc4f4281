// The /mcp endpoint: both protocol eras at one URL, behind Host, Origin, body and bearer
// checks. 2026-07-28 requests are stateless through createMcpHandler; 2025-era requests go
// to bounded sessions (full features) or, when sessions are off, are served statelessly by
// the same handler (for multi-process deployments without sticky routing). Listen streams,
// GET streams and sessions are live connections, ended by revocation and at shutdown. Change
// notifications reach a user's listen streams and sessions only from that user's changes.
import { hostHeaderValidation } from '@modelcontextprotocol/express';
import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  isLegacyRequest,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { allowedMethods } from '../http/allowed-methods.ts';
import { foreignCharset } from '../http/body-charset.ts';
import type { LiveConnections } from '../http/live-connections.ts';
import type { ActivityService } from '../services/activity-service.ts';
import { SCOPES } from '../services/auth-schemas.ts';
import type { AuthService } from '../services/auth-service.ts';
import { type ChangeFeed, ChangesByUser } from '../services/change-feed.ts';
import { UnavailableError } from '../services/errors.ts';
import type { RateBudgets } from '../services/rate-limiter.ts';
import type { TodoService } from '../services/todo-service.ts';
import { callerOf, mcpBearerAuth, tokenVerifier, userIdOf } from './bearer-auth.ts';
import { mcpJsonBody } from './json-body.ts';
import { checkJsonShape } from './json-shape.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { isListenRequest, ListenStreams } from './listen-streams.ts';
import { claimsModernEra, rpcSummary } from './rpc-body.ts';
import { sendRpcError } from './rpc-error.ts';
import { calledTool, mcpServerFactory } from './server-factory.ts';
import { addSessionSubscriptions } from './session-subscriptions.ts';
import { canWatch } from './subscribable.ts';
import { todoDataGate } from './todo-data-gate.ts';

export interface McpEndpointOptions {
  auth: AuthService;
  todos: TodoService;
  activity: ActivityService;
  /** Every committed change; each user's streams and sessions are told their own. */
  changes: ChangeFeed;
  logger: Logger;
  publicUrl: string;
  /** Browser origins allowed to call /mcp: the CORS allow-list. */
  allowedOrigins: readonly string[];
  /** Hostnames accepted in Host; undefined when not bound to loopback (no DNS-rebinding risk). */
  allowedHosts: readonly string[] | undefined;
  legacySessions: boolean;
  sessionIdleTtlMs: number;
  maxSessions: number;
  maxSessionsPerUser: number;
  /** Calls that read or change todos (tools, resources, prompts, completions) per user per minute. */
  callsPerMinute: number;
  /** Where that budget is kept: this process, or the database every process shares. */
  budgets: RateBudgets;
  /** Open 2026-07-28 listen streams one user may hold. */
  maxListenStreamsPerUser: number;
  /** Open 2026-07-28 listen streams in this process, for everyone. */
  maxListenStreams: number;
  /** Where streams and sessions are registered, so revocation and shutdown can end them. */
  connections: LiveConnections;
  version: string;
}

export interface McpEndpoint {
  router: Router;
  /** Open 2025-era sessions; undefined when sessions are off. */
  sessions: LegacySessions | undefined;
  close(): Promise<void>;
}

const PATHS = ['/mcp', '/mcp/'];
const BODY_LIMIT = 100 * 1024;
// Bodies express.json() did not parse (other media types) are read by the SDK: same bound.
const SDK_READ = { maxRequestBodySize: 100 * 1024 };

export function mcpEndpoint(options: McpEndpointOptions): McpEndpoint {
  const { logger } = options;
  const resource = new URL(`${options.publicUrl}/mcp`);
  const metadataUrl = getOAuthProtectedResourceMetadataUrl(resource);
  // One budget per user for every call that reads or changes todos, whatever its method.
  const callLimiter = options.budgets('mcp-calls', { capacity: options.callsPerMinute, windowMs: 60_000 });
  const build = mcpServerFactory({
    todos: options.todos,
    activity: options.activity,
    logger,
    version: options.version,
    callLimiter,
    drained: options.connections.drained,
  });
  const onerror = (error: Error) =>
    logger.debug({ errorMessage: error.message.slice(0, 200) }, 'mcp transport');
  const handler = createMcpHandler(
    ({ authInfo, era, requestInfo }) =>
      build(userIdOf(authInfo), era === 'modern' ? 'listen' : 'stateless', calledTool(era, requestInfo)),
    {
      legacy: options.legacySessions ? 'reject' : 'stateless',
      // ListenStreams serves every listen on a handler of the user's own; this caps strays.
      maxSubscriptions: options.maxListenStreams,
      onerror,
    },
  );
  const modern = toNodeHandler(handler, { onerror, ...SDK_READ });
  const changes = new ChangesByUser(options.changes);
  const watchable = (userId: string, uri: string) => canWatch(options.todos, userId, uri);
  const listens = new ListenStreams({
    build: (authInfo) => build(userIdOf(authInfo), 'listen'),
    changes,
    canWatch: watchable,
    connections: options.connections,
    limits: { maxPerUser: options.maxListenStreamsPerUser, maxTotal: options.maxListenStreams },
    nodeOptions: { onerror, ...SDK_READ },
    onerror,
  });
  const sessions = options.legacySessions
    ? new LegacySessions({
        idleTtlMs: options.sessionIdleTtlMs,
        maxSessions: options.maxSessions,
        maxSessionsPerUser: options.maxSessionsPerUser,
        connections: options.connections,
        changes,
        logger,
      })
    : undefined;

  const router = Router();

  // RFC 9728 metadata: where a client learns how to get a token for this resource.
  router.get('/.well-known/oauth-protected-resource/mcp', (_req, res) => {
    res.json({
      resource: resource.href,
      authorization_servers: [options.publicUrl],
      scopes_supported: SCOPES,
      bearer_methods_supported: ['header'],
      resource_name: 'todos',
    });
  });

  const guards: RequestHandler[] = [
    ...(options.allowedHosts ? [hostHeaderValidation([...options.allowedHosts])] : []),
    originCheck(
      [...options.allowedOrigins, new URL(options.publicUrl).origin],
      options.allowedHosts !== undefined,
    ),
    utf8Only,
    // Only JSON bodies are parsed; any other type reaches the SDK unread and gets its 415.
    mcpJsonBody(BODY_LIMIT),
    noteRpcCall,
    rejectBatches,
    checkJsonShape,
    mcpBearerAuth({
      verifier: tokenVerifier(options.auth, resource),
      resourceMetadataUrl: metadataUrl,
      expectedResource: resource,
      // A 401 names the scopes to ask for (MCP authorization, scope selection), so a host that
      // starts OAuth from it asks for what the tools need; each tool still checks its own.
      challengeScopes: [...SCOPES],
    }),
    todoDataGate({ limiter: callLimiter, resourceMetadataUrl: metadataUrl }),
  ];

  const serve: RequestHandler = async (req, res) => {
    const caller = callerOf(req.auth);
    if (isListenRequest(req.body)) {
      await listens.serve(req, res, caller);
      return;
    }
    if (
      sessions &&
      !claimsModernEra(req.body) &&
      (onLegacySession(req) || (await isLegacyRequest(await classifiable(req), req.body, SDK_READ)))
    ) {
      await sessions.handle(req, res, caller, () => {
        const server = build(caller.userId, 'session');
        const onChange = addSessionSubscriptions(server, {
          canWatch: (uri) => watchable(caller.userId, uri),
          onerror,
        });
        return { server, onChange };
      });
      return;
    }
    await modern(req, res, req.body);
  };
  // The methods the transport serves: POST in every era; GET (the stream) and DELETE (ending a
  // session) only for 2025-era sessions. Express would route HEAD to the GET stream: refused.
  router.head(PATHS, refuseMethod);
  router.post(PATHS, ...guards, serve);
  if (sessions) router.get(PATHS, ...guards, serve).delete(PATHS, ...guards, serve);
  router.all(PATHS, refuseMethod);
  router.use(PATHS, rpcErrors(logger));

  return {
    router,
    sessions,
    async close() {
      await sessions?.close();
      await listens.close();
      await handler.close();
    },
  };
}

/**
 * True for a request on a 2025-era session that names no 2026-07-28 revision: it carries an
 * Mcp-Session-Id (only 2025-era clients have sessions), no envelope claim in its body (the
 * caller checked) and an MCP-Protocol-Version header, if any, from the SDK's 2025-era list.
 * isLegacyRequest answers true for every such request whose body is a JSON-RPC message, so
 * these skip building a web Request and the SDK's zod checks just to be classified (~20 µs,
 * a sixth of what we add to a session's call). The one difference: a body that is not
 * JSON-RPC at all gets the session transport's 400 instead of the modern handler's 400.
 */
function onLegacySession(req: express.Request): boolean {
  const version = req.get('mcp-protocol-version')?.trim();
  return (
    req.get('mcp-session-id') !== undefined &&
    (version === undefined || SUPPORTED_PROTOCOL_VERSIONS.includes(version))
  );
}

/**
 * The request isLegacyRequest classifies. Given the body express.json() already parsed, the
 * SDK classifies from that value and reads only the method and headers of the Request, so
 * the Request is built without a body: serialising the body into it cost as much as the
 * conversion toNodeHandler does again for the request it serves. Bodies express.json() left
 * unread (other media types) are still read from the stream by toWebRequest.
 */
function classifiable(req: express.Request): Request | Promise<Request> {
  if (req.body === undefined) return toWebRequest(req, undefined, SDK_READ);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name.startsWith(':')) continue;
    if (Array.isArray(value)) for (const item of value) headers.append(name, item);
    else headers.set(name, value);
  }
  return new Request(`http://${req.headers.host ?? 'localhost'}${req.url}`, { method: req.method, headers });
}

/**
 * Browsers send Origin; a page on another site must not drive a user's agent session
 * (DNS rebinding, CSRF). Requests without Origin (non-browser clients) pass; `null` does not.
 * On loopback, where Host was already checked against the allow-list, a page served from
 * the very host and port it calls is same-origin and passes too.
 */
function originCheck(allowed: readonly string[], hostChecked: boolean): RequestHandler {
  const origins = new Set(allowed);
  return (req, res, next) => {
    const origin = req.get('origin');
    const sameOrigin = hostChecked && origin === `${req.protocol}://${req.get('host')}`;
    if (origin === undefined || origins.has(origin) || sameOrigin) {
      next();
      return;
    }
    sendRpcError(res, 403, -32000, 'Forbidden: this Origin may not call the MCP endpoint');
  };
}

/** 405 as the transport answers its errors, listing the methods the routes above serve. */
const refuseMethod: RequestHandler = (req, res) => {
  const allowed = allowedMethods(req).filter((method) => method !== 'HEAD');
  res.setHeader('Allow', allowed.join(', '));
  sendRpcError(res, 405, -32000, `Method not allowed: use ${allowed.join(', ')}`);
};

/** JSON is UTF-8 (RFC 8259 §8.1): a body declaring another charset is refused before it is decoded. */
const utf8Only: RequestHandler = (req, res, next) => {
  if (foreignCharset(req) === undefined) {
    next();
    return;
  }
  sendRpcError(res, 415, -32000, 'Unsupported Media Type: the body must be JSON in UTF-8');
};

/** The method and the tool, prompt or resource of a request, for its log line. */
const noteRpcCall: RequestHandler = (req, res, next) => {
  const summary = rpcSummary(req.body);
  if (summary !== undefined) res.locals.rpc = summary;
  next();
};

/** JSON-RPC batches were removed from the protocol (2025-06-18 onwards): refuse them in every era. */
const rejectBatches: RequestHandler = (req, res, next) => {
  if (Array.isArray(req.body)) {
    sendRpcError(res, 400, -32600, 'Invalid Request: JSON-RPC batches are not supported');
    return;
  }
  next();
};

/** Body-parser and unexpected errors on /mcp answer as JSON-RPC, never as HTML or problem+json. */
function rpcErrors(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    if (res.headersSent) {
      req.socket.destroy();
      return;
    }
    const status = (error as { status?: number }).status;
    if (status === 413) return sendRpcError(res, 413, -32600, 'Request body too large');
    if (status === 400) return sendRpcError(res, 400, -32700, 'Parse error: the body is not valid JSON');
    if (status === 415) return sendRpcError(res, 415, -32000, 'Unsupported Media Type');
    if (error instanceof UnavailableError) {
      // The database failed underneath (checking the token, or the rate budget it keeps).
      logger.warn({ reqId: req.requestId, reason: error.reason }, 'storage unavailable');
      res.setHeader('Retry-After', String(error.retryAfterSeconds));
      return sendRpcError(
        res,
        503,
        -32000,
        `${error.message} Try again in ${error.retryAfterSeconds} seconds.`,
      );
    }
    logger.error({ reqId: req.requestId, errorName: (error as Error)?.name }, 'mcp request failed');
    sendRpcError(res, 500, -32603, 'Internal error');
  };
}
