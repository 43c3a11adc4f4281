import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * One CORS policy at the root, so /api, /mcp and /.well-known agree. Only allow-listed
 * origins get CORS headers; credentials are never allowed (we use bearer tokens, not
 * cookies). The MCP headers are already here so browser-based MCP clients work.
 */
export function corsPolicy(allowedOrigins: readonly string[]): RequestHandler {
  const allowed = new Set(allowedOrigins);
  return cors({
    origin: (origin, callback) =>
      callback(null, origin !== undefined && allowed.has(origin) ? origin : false),
    methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'],
    allowedHeaders: [
      'Authorization',
      'Content-Type',
      'If-Match',
      'X-Request-Id',
      'Mcp-Session-Id',
      'Mcp-Protocol-Version',
      'Last-Event-ID',
      'Mcp-Method',
      'Mcp-Name',
    ],
    exposedHeaders: ['ETag', 'Location', 'Retry-After', 'X-Request-Id', 'WWW-Authenticate', 'Mcp-Session-Id'],
    credentials: false,
    maxAge: 600,
  });
}

/**
 * Runs the CORS layers only for a request with an Origin header, the only kind a browser's
 * cross-origin request is. Every other request (agents, servers, curl) skips them: the
 * answer is what the layers would give it (they add CORS headers for allowed origins only),
 * `Vary: Origin` included, at a fraction of the cost on the hottest paths.
 */
export function onlyCrossOrigin(layers: RequestHandler): RequestHandler {
  return (req, res, next) => {
    if (req.headers.origin !== undefined) {
      layers(req, res, next);
      return;
    }
    res.setHeader('Vary', 'Origin');
    next();
  };
}
