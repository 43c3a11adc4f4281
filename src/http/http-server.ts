import { createServer, type Server, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import type { Express } from 'express';
import { toOriginForm } from './request-target.ts';

/**
 * The HTTP server for an app. Two things happen before the app sees a request, because Express
 * cannot do them: an absolute-form target becomes origin-form (see request-target.ts), and
 * CONNECT, which Node hands to a 'connect' listener and otherwise drops unanswered, is handed
 * to the app like any other request (which refuses it, logged and with the usual headers).
 */
export function createHttpServer(app: Express): Server {
  const server = createServer((req, res) => {
    toOriginForm(req);
    app(req, res);
  });
  server.on('connect', (req, socket) => {
    if (!(socket instanceof Socket)) {
      socket.destroy();
      return;
    }
    const res = new ServerResponse(req);
    res.shouldKeepAlive = false;
    res.assignSocket(socket);
    res.once('finish', () => {
      res.detachSocket(socket);
      socket.end();
    });
    // Express drops a request whose target it cannot read as a path: the authority-form
    // `host:port` of a tunnel request reaches the app as `/`.
    if (!req.url?.startsWith('/')) req.url = '/';
    app(req, res);
  });
  return server;
}
