// The HTTP floors the REST path is compared with, each in its own process: GET /todos/{id}
// reading the same row from the same SQLite file, with no auth, validation, services or logging.
//   node bench/floor-server.ts http|express <database path> <user id>
// `http` is bare node:http (the cost of HTTP, SQLite and JSON in Node); `express` is a bare
// Express 5 route (adds the framework). Both map the row as the repository does and send
// the same JSON. Express's body-hash ETag is off, as in createApp, so the floors do the work
// the service does, minus our own layers.
import { createServer } from 'node:http';
import express from 'express';
import { openRowReader, serveFloor } from './floor-row.ts';

const [mode, databasePath, userId] = process.argv.slice(2);
if ((mode !== 'http' && mode !== 'express') || !databasePath || !userId) {
  throw new Error('usage: floor-server.ts http|express <database path> <user id>');
}
const read = openRowReader(databasePath, userId);

const PREFIX = '/todos/';
serveFloor(
  mode === 'http'
    ? createServer((req, res) => {
        const todo = req.url?.startsWith(PREFIX) ? read(req.url.slice(PREFIX.length)) : undefined;
        if (!todo) {
          res.writeHead(404).end();
          return;
        }
        const body = JSON.stringify(todo);
        res.writeHead(200, {
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      })
    : createServer(
        express()
          .disable('x-powered-by')
          .disable('etag')
          .get('/todos/:id', (req, res) => {
            const todo = read(req.params.id);
            if (!todo) res.status(404).end();
            else res.json(todo);
          }),
      ),
);
