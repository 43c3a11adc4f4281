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
