// The floors the service is compared with, each in its own process: GET /todos/{id} reading
// the same row from the same SQLite file, with no auth, validation, services or logging.
//   node bench/floor-server.ts http|express <database path> <user id>
// `http` is bare node:http (the cost of HTTP, SQLite and JSON in Node); `express` is a bare
// Express 5 route (adds the framework). Both map the row as the repository does and send
// the same JSON. Express's body-hash ETag is off, as in createApp, so the floors do the work
// the service does, minus our own layers.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import express from 'express';
import { TODO_COLUMNS, type TodoRow, toTodo } from '../src/repositories/sqlite/sqlite-todo-repository.ts';

const [mode, databasePath, userId] = process.argv.slice(2);
if ((mode !== 'http' && mode !== 'express') || !databasePath || !userId) {
  throw new Error('usage: floor-server.ts http|express <database path> <user id>');
}

const db = new Database(databasePath);
db.pragma('busy_timeout = 5000');
const byId = db.prepare<[string, string], TodoRow>(
  `SELECT ${TODO_COLUMNS} FROM todos WHERE id = ? AND user_id = ?`,
);
const read = (id: string) => {
  const row = byId.get(id, userId);
  return row && toTodo(row);
};

const PREFIX = '/todos/';
const server =
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
      );

server.listen(0, '127.0.0.1', () => {
  process.send?.({ port: (server.address() as AddressInfo).port });
});
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  db.close();
});
