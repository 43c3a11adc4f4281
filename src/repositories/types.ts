// Domain types and the storage interfaces the services depend on. Every method returns a
// promise even though better-sqlite3 is synchronous: a PostgreSQL implementation must be
// able to slot in without touching the services. A miss is `undefined`; services decide
// whether that is an error. Any method may reject with UnavailableError when the storage
// underneath cannot be read or written right now.

export interface User {
  id: string;
  username: string;
  createdAt: string;
}

export interface UserWithCredentials extends User {
  passwordHash: string;
}

export interface Todo {
  id: string;
  title: string;
  description: string;
  priority: number;
  completed: boolean;
  dueDate: string | null;
  createdAt: string;
  updatedAt: string;
  version: number;
}

/** The fields a caller may set; everything else is owned by the server. */
export type TodoFields = Pick<Todo, 'title' | 'description' | 'priority' | 'completed' | 'dueDate'>;

/** Some editable fields; an absent or undefined field keeps its stored value. */
export type TodoChanges = { [K in keyof TodoFields]?: TodoFields[K] | undefined };

export type TodoSortField = 'createdAt' | 'updatedAt' | 'dueDate' | 'priority';
export type SortOrder = 'asc' | 'desc';

/** Todos without a due date sort after every dated one in ascending order. */
export const NO_DUE_DATE_SORT_KEY = '9999-12-31';

/** The value a todo is ordered by; a page cursor records it for the page's last row. */
export function todoSortKey(todo: Todo, sort: TodoSortField): string | number {
  switch (sort) {
    case 'createdAt':
      return todo.createdAt;
    case 'updatedAt':
      return todo.updatedAt;
    case 'priority':
      return todo.priority;
    case 'dueDate':
      return todo.dueDate ?? NO_DUE_DATE_SORT_KEY;
  }
}

/** Where the previous page ended: the sort key and id of its last row. */
export interface TodoPosition {
  key: string | number;
  id: string;
}

export interface TodoQuery {
  completed?: boolean | undefined;
  priority?: number | undefined;
  /** Case-insensitive substring of the title or the description. */
  text?: string | undefined;
  /** Inclusive upper bound on `dueDate`; todos without a due date never match. */
  dueOnOrBefore?: string | undefined;
  sort: TodoSortField;
  order: SortOrder;
  after?: TodoPosition | undefined;
  limit: number;
}

export interface UserRepository {
  /** Returns undefined when the username (case-insensitive) is taken. */
  create(user: UserWithCredentials): Promise<User | undefined>;
  findById(id: string): Promise<User | undefined>;
  findByUsername(username: string): Promise<UserWithCredentials | undefined>;
}

export interface TodoRepository {
  list(userId: string, query: TodoQuery): Promise<Todo[]>;
  get(userId: string, id: string): Promise<Todo | undefined>;
  /** Inserts unless the user already owns `maxPerUser` todos; undefined when full. */
  insert(userId: string, todo: Todo, maxPerUser: number): Promise<Todo | undefined>;
  /**
   * Applies `fields`, bumps the version and sets `updatedAt`, only if the todo exists for this
   * user and (when given) its version equals `expectedVersion`. Undefined otherwise.
   */
  update(
    userId: string,
    id: string,
    fields: TodoChanges,
    updatedAt: string,
    expectedVersion?: number,
  ): Promise<Todo | undefined>;
  /** Same conditions as update; false when nothing was deleted. */
  delete(userId: string, id: string, expectedVersion?: number): Promise<boolean>;
}

export interface AgentToken {
  id: string;
  name: string;
  scopes: string[];
  audience: ('api' | 'mcp')[];
  createdAt: string;
  expiresAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface AgentTokenRepository {
  /** Stores the token unless the user already holds `maxActive` unrevoked, unexpired ones; undefined then. */
  insert(userId: string, token: AgentToken, maxActive: number): Promise<AgentToken | undefined>;
  /** Every token of the user, newest first, revoked and expired ones included. */
  list(userId: string): Promise<AgentToken[]>;
  /** The token when it belongs to the user, is not revoked and has not expired at `now`. */
  findActive(userId: string, id: string, now: string): Promise<AgentToken | undefined>;
  /** Marks the user's token revoked (once); false when the user has no such token. */
  revoke(userId: string, id: string, at: string): Promise<boolean>;
  touch(id: string, at: string): Promise<void>;
}

export interface HealthProbe {
  /**
   * Resolves when the store takes a real write and is still the storage it opened; rejects
   * otherwise (UnavailableError when the storage is failing).
   */
  check(): Promise<void>;
}
