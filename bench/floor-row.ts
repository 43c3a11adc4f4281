// What every floor shares: the row they read (the service's query and row mapping on the
// same SQLite file), and how a floor process announces its port and stops.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Database from 'better-sqlite3';
import { TODO_COLUMNS, type TodoRow, toTodo } from '../src/repositories/sqlite/sqlite-todo-repository.ts';
import type { Todo } from '../src/repositories/types.ts';

/** Reads one of the user's todos by id, as SqliteTodoRepository does; undefined on a miss. */
export function openRowReader(databasePath: string, userId: string): (id: string) => Todo | undefined {
  const db = new Database(databasePath);
  db.pragma('busy_timeout = 5000');
  const byId = db.prepare<[string, string], TodoRow>(
    `SELECT ${TODO_COLUMNS} FROM todos WHERE id = ? AND user_id = ?`,
  );
  process.once('exit', () => db.close());
  return (id) => {
    const row = byId.get(id, userId);
    return row && toTodo(row);
  };
}

/** Listens on a free loopback port, tells the harness which (IPC), and closes on SIGTERM. */
export function serveFloor(server: Server): void {
  server.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (server.address() as AddressInfo).port });
  });
  process.on('SIGTERM', () => {
    server.close();
    server.closeAllConnections();
  });
}
