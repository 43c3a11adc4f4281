import { randomUUID } from 'node:crypto';
import type { RequestHandler, Response } from 'express';
import type { Logger } from 'pino';

// A caller's id is echoed only when it is short and plain, so it cannot inject into logs.
const ACCEPTED_ID = /^[A-Za-z0-9._-]{1,64}$/;

// A path segment that holds a JWT: a JSON header in base64url (`eyJ`), or three base64url parts.
const TOKEN_LIKE = /eyJ[A-Za-z0-9_-]|[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

/** The path as logged: a token a client put in it by mistake must not land in the logs. */
function loggedPath(path: string): string {
  if (!TOKEN_LIKE.test(path)) return path;
  return path
    .split('/')
    .map((segment) => (TOKEN_LIKE.test(segment) ? '[redacted]' : segment))
    .join('/');
}

const duration = (ms: number) => (ms < 1000 ? `${ms.toFixed(1)}ms` : `${(ms / 1000).toFixed(1)}s`);

/** What an answer's own code noted about it: why it failed, which MCP call it was, a stream. */
function outcome(res: Response): Record<string, unknown> {
  const { problem, oauthError, rpcError, rpc, stream } = res.locals;
  return {
    ...rpc,
    ...(problem === undefined ? {} : { problem }),
    ...(oauthError === undefined ? {} : { oauthError }),
    ...(rpcError === undefined ? {} : { rpcError }),
    ...(stream ? { stream: true } : {}),
  };
}

/**
 * Gives every request an id (X-Request-Id, accepted or generated, echoed back) and writes
 * one log line when its response is finished, whose message reads like the request
 * (`GET /api/todos 200 3.1ms`). Only the path is logged, with segments that look like tokens
 * redacted, never the query string (a misplaced `?access_token=` would land in the logs),
 * headers or bodies; a failure adds its problem type, an /mcp call its method and the tool,
 * prompt or resource it names.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.get('x-request-id');
    req.requestId = header !== undefined && ACCEPTED_ID.test(header) ? header : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    // 'close' fires for every response, also one the client abandoned: 'finish' alone would
    // leave those requests without a log line. A stream (SSE) normally ends by its client
    // closing it, so only an unfinished answer that is not a stream counts as aborted.
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
      const path = loggedPath(req.originalUrl.split('?', 1)[0] ?? '');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const aborted = !res.writableFinished && !res.locals.stream;
      logger.info(
        {
          reqId: req.requestId,
          method: req.method,
          path,
          status: res.statusCode,
          ms,
          userId: req.principal?.userId,
          // The OAuth client acting for the person, so what a client did can be traced to it.
          oauthClientId: req.principal?.clientId ?? req.auth?.extra?.oauthClientId,
          ...outcome(res),
          ...(aborted ? { aborted: true } : {}),
        },
        `${req.method} ${path} ${res.statusCode} ${duration(ms)}${aborted ? ' aborted' : ''}`,
      );
    });
    next();
  };
}
