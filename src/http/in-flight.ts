import type { RequestHandler } from 'express';
import type { Lifecycle } from './health.ts';

/**
 * Counts requests in progress so that shutdown can let them finish before it closes MCP
 * streams. A GET on /mcp or /api/events is a stream that stays open until closed, so it is
 * not counted. While draining, each answer asks the client to close its connection: its next
 * request then opens a new one, which a balancer sends to another process.
 */
export function trackInFlight(lifecycle: Lifecycle): RequestHandler {
  return (req, res, next) => {
    if (lifecycle.draining) res.setHeader('Connection', 'close');
    if (req.method === 'GET' && (req.path.startsWith('/mcp') || req.path === '/api/events')) {
      next();
      return;
    }
    lifecycle.inFlight++;
    res.once('close', () => {
      lifecycle.inFlight--;
    });
    next();
  };
}
