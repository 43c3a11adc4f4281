// The /mcp endpoint: both protocol eras at one URL, behind Host, Origin, body and bearer
// checks. 2026-07-28 requests are stateless through createMcpHandler; 2025-era requests go
// to bounded sessions (full features) or, when sessions are off, are served statelessly by
// the same handler (for multi-process deployments without sticky routing).
import { hostHeaderValidation, requireBearerAuth } from '@modelcontextprotocol/express';
import { toNodeHandler, toWebRequest } from '@modelcontextprotocol/node';
import {
  createMcpHandler,
  getOAuthProtectedResourceMetadataUrl,
  isLegacyRequest,
  PROTOCOL_VERSION_META_KEY,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import express, { type ErrorRequestHandler, type RequestHandler, Router } from 'express';
import type { Logger } from 'pino';
import { SCOPES } from '../services/auth-schemas.ts';
import type { AuthService } from '../services/auth-service.ts';
import { RateLimiter } from '../services/rate-limiter.ts';
import type { TodoService } from '../services/todo-service.ts';
import { mcpJsonBody } from './json-body.ts';
import { checkJsonShape } from './json-shape.ts';
import { LegacySessions } from './legacy-sessions.ts';
import { sendRpcError } from './rpc-error.ts';
import { calledTool, mcpServerFactory } from './server-factory.ts';
import { tokenVerifier, userIdOf } from './token-verifier.ts';

export interface McpEndpointOptions {
  auth: AuthService;
  todos: TodoService;
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
  toolCallsPerMinute: number;
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
  const build = mcpServerFactory({
    todos: options.todos,
    logger,
    version: options.version,
    toolCallLimiter: new RateLimiter({ capacity: options.toolCallsPerMinute, windowMs: 60_000 }),
  });
  const onerror = (error: Error) =>
    logger.debug({ errorMessage: error.message.slice(0, 200) }, 'mcp transport');
  const handler = createMcpHandler(
    ({ authInfo, era, requestInfo }) => build(userIdOf(authInfo), calledTool(era, requestInfo)),
    {
      legacy: options.legacySessions ? 'reject' : 'stateless',
      onerror,
    },
  );
  const modern = toNodeHandler(handler, { onerror, ...SDK_READ });
  const sessions = options.legacySessions
    ? new LegacySessions({
        idleTtlMs: options.sessionIdleTtlMs,
        maxSessions: options.maxSessions,
        maxSessionsPerUser: options.maxSessionsPerUser,
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
    // Only JSON bodies are parsed; any other type reaches the SDK unread and gets its 415.
    mcpJsonBody(BODY_LIMIT),
    rejectBatches,
    checkJsonShape,
    requireBearerAuth({
      verifier: tokenVerifier(options.auth, resource),
      resourceMetadataUrl: metadataUrl,
      expectedResource: resource,
    }),
  ];

  router.all(PATHS, ...guards, async (req, res) => {
    const userId = userIdOf(req.auth);
    if (
      sessions &&
      !claimsModernEra(req.body) &&
      (onLegacySession(req) || (await isLegacyRequest(await classifiable(req), req.body, SDK_READ)))
    ) {
      await sessions.handle(req, res, userId, () => build(userId));
      return;
    }
    await modern(req, res, req.body);
  });
  router.use(PATHS, rpcErrors(logger));

  return {
    router,
    sessions,
    async close() {
      await sessions?.close();
      await handler.close();
    },
  };
}

/**
 * True when the body carries the 2026-07-28 per-request envelope's protocol-version claim.
 * isLegacyRequest answers false for every such request (a malformed or unsupported claim
 * included: the modern handler owns those errors), so the common modern request skips
 * building a web Request just to be classified, a sixth of its CPU in the profile.
 */
function claimsModernEra(body: unknown): boolean {
  const meta = (body as { params?: { _meta?: unknown } } | undefined)?.params?._meta;
  return typeof meta === 'object' && meta !== null && Object.hasOwn(meta, PROTOCOL_VERSION_META_KEY);
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
    logger.error({ reqId: req.requestId, errorName: (error as Error)?.name }, 'mcp request failed');
    sendRpcError(res, 500, -32603, 'Internal error');
  };
}
