// Seeds the benchmark database before the service starts: users through the real
// AuthService (so passwords are real argon2id hashes the service can verify), and todos
// through the real repository inside one transaction, which is far faster than HTTP.
import { randomUUID } from 'node:crypto';
import { createServices } from '../src/compose.ts';
import { openDatabase } from '../src/repositories/sqlite/database.ts';
import { SqliteConnection } from '../src/repositories/sqlite/sqlite-connection.ts';
import { sqliteStore } from '../src/repositories/sqlite/sqlite-store.ts';
import { SqliteTodoRepository } from '../src/repositories/sqlite/sqlite-todo-repository.ts';
import type { Todo } from '../src/repositories/types.ts';

export const PASSWORD = 'correct horse battery staple';
/** Accounts that take part in the login storm, each signing in one login at a time. */
export const STORM_USERS = 20;

export interface SeededUser {
  username: string;
  id: string;
  todos: number;
}

export interface Seeded {
  /** The user whose first todo every by-id scenario reads, and who creates and patches. */
  main: SeededUser;
  /** The todo the by-id scenarios (and the floors) read. */
  todoId: string;
  /** Users for list scaling, by their number of todos. */
  lists: SeededUser[];
  storm: SeededUser[];
}

export async function seed(options: {
  databasePath: string;
  jwtSecret: string;
  publicUrl: string;
  listSizes: readonly number[];
}): Promise<Seeded> {
  const db = openDatabase(options.databasePath);
  try {
    const { auth } = createServices(sqliteStore(db), {
      jwtSecret: options.jwtSecret,
      publicUrl: options.publicUrl,
      tokenTtlSeconds: 3600,
      maxTodosPerUser: Number.MAX_SAFE_INTEGER,
    });
    const register = async (username: string, todos: number): Promise<SeededUser> => {
      const user = await auth.register({ username, password: PASSWORD }, 'bench-seed');
      return { username, id: user.id, todos };
    };
    const main = await register('bench_main', 100);
    const lists = await Promise.all(options.listSizes.map((size) => register(`bench_list_${size}`, size)));
    const storm = await Promise.all(
      Array.from({ length: STORM_USERS }, (_, i) => register(`bench_storm_${i}`, 0)),
    );

    const repository = new SqliteTodoRepository(new SqliteConnection(db));
    let todoId = '';
    db.transaction(() => {
      for (const user of [main, ...lists]) {
        // Distinct, increasing creation times: the default order is the insertion order.
        const start = Date.parse('2026-01-01T00:00:00Z');
        for (let i = 0; i < user.todos; i++) {
          const at = new Date(start + i * 1000).toISOString();
          const todo: Todo = {
            id: randomUUID(),
            title: `Todo ${i} of ${user.username}`,
            description: i % 3 === 0 ? 'Some details about this task, long enough to be realistic.' : '',
            priority: 1 + (i % 5),
            completed: i % 4 === 0,
            dueDate: i % 2 === 0 ? '2026-12-01' : null,
            createdAt: at,
            updatedAt: at,
            version: 1,
          };
          if (user === main && i === 0) todoId = todo.id;
          // The statements inside run synchronously; the promise only carries the result.
          void repository.insert(
            { actor: { userId: user.id, via: 'api' }, at, keepActivity: 1000 },
            todo,
            Number.MAX_SAFE_INTEGER,
          );
        }
      }
    })();
    return { main, todoId, lists, storm };
  } finally {
    db.close();
  }
}
