import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
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

/**
 * Gives every request an id (X-Request-Id, accepted or generated, echoed back) and writes
 * one log line when its response is finished. Only the path is logged, with segments that
 * look like tokens redacted, never the query string (a misplaced `?access_token=` would land
 * in the logs), headers or bodies.
 */
export function requestLog(logger: Logger): RequestHandler {
  return (req, res, next) => {
    const header = req.get('x-request-id');
    req.requestId = header !== undefined && ACCEPTED_ID.test(header) ? header : randomUUID();
    res.setHeader('X-Request-Id', req.requestId);
    const started = process.hrtime.bigint();
    // 'close' fires for every response, also one the client abandoned (a 2025-era GET stream
    // left open): 'finish' alone would leave those requests without a log line.
    res.once('close', () => {
      if (!logger.isLevelEnabled('info')) return;
      logger.info({
        reqId: req.requestId,
        method: req.method,
        path: loggedPath(req.originalUrl.split('?', 1)[0] ?? ''),
        status: res.statusCode,
        ms: Number(process.hrtime.bigint() - started) / 1e6,
        userId: req.principal?.userId,
        // The OAuth client acting for the person, so what a client did can be traced to it.
        oauthClientId: req.principal?.clientId ?? req.auth?.extra?.oauthClientId,
        ...(res.writableFinished ? {} : { aborted: true }),
      });
    });
    next();
  };
}
