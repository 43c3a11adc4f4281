// Versioned schema migrations for PostgreSQL, applied in order at start (migrate.ts);
// `schema_migrations` records which ran. Never edit a migration that has shipped: add one.
//
// The schema keeps SQLite's contract exactly: ids and text compare byte by byte (COLLATE "C",
// as SQLite's BINARY does), so that keyset pages and ties by id come in the same order on both
// engines, and case-insensitive search folds ASCII letters only, as SQLite's LIKE does.
// Times are timestamptz; repositories read them back as the same ISO-8601 strings they wrote.

export const migrations: readonly string[] = [
  `
  CREATE TABLE users (
    id            text COLLATE "C" PRIMARY KEY,
    username      text COLLATE "C" NOT NULL,
    password_hash text NOT NULL,
    created_at    timestamptz NOT NULL,
    -- Kept in the same statement as inserts and deletes of todos: the per-user cap is one
    -- row lock and an O(1) check, and concurrent creates queue on that row instead of racing.
    todo_count    integer NOT NULL DEFAULT 0 CHECK (todo_count >= 0)
  );
  -- Usernames are ASCII ([A-Za-z0-9_.-]), so lower() is the same folding as SQLite's NOCASE.
  CREATE UNIQUE INDEX users_username ON users (lower(username));

  CREATE TABLE todos (
    id          text COLLATE "C" PRIMARY KEY,
    user_id     text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    title       text COLLATE "C" NOT NULL,
    description text COLLATE "C" NOT NULL,
    priority    integer NOT NULL CHECK (priority BETWEEN 1 AND 5),
    completed   boolean NOT NULL,
    due_date    date,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL,
    version     integer NOT NULL CHECK (version >= 1)
  );

  -- One index per sort order, each ending in id: keyset pagination reads one page of rows
  -- whatever the number of todos a user has.
  CREATE INDEX todos_by_created  ON todos (user_id, created_at, id);
  CREATE INDEX todos_by_updated  ON todos (user_id, updated_at, id);
  CREATE INDEX todos_by_priority ON todos (user_id, priority, id);
  CREATE INDEX todos_by_due      ON todos (user_id, coalesce(due_date, DATE '9999-12-31'), id);
  `,
  `
  -- Long-lived tokens a person mints for one agent; never the token itself.
  CREATE TABLE agent_tokens (
    id           text COLLATE "C" PRIMARY KEY,       -- the token's jti
    user_id      text COLLATE "C" NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name         text NOT NULL,
    scopes       text[] NOT NULL,
    audience     text[] NOT NULL,                    -- api, mcp
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    last_used_at timestamptz,
    revoked_at   timestamptz
  );
  CREATE INDEX agent_tokens_by_user ON agent_tokens (user_id, created_at);
  `,
  `
  -- Rate-limit buckets every process spends together (sign-in, registration, MCP calls).
  -- Times are milliseconds since the epoch, as the services compute them. UNLOGGED: written on
  -- every MCP call, so no WAL and no flush to disk per call; a crash of the database server
  -- empties it, which only forgets who was near a limit.
  CREATE UNLOGGED TABLE rate_buckets (
    key           text COLLATE "C" PRIMARY KEY,
    tokens        double precision NOT NULL,
    at            bigint NOT NULL,
    pending       integer NOT NULL DEFAULT 0,
    pending_until bigint NOT NULL DEFAULT 0,
    -- When the bucket is full again with nothing pending: from then on it can be forgotten.
    expires_at    bigint NOT NULL
  );
  CREATE INDEX rate_buckets_by_expiry ON rate_buckets (expires_at);
  `,
];
